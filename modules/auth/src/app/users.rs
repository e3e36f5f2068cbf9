//! User accounts: own profile, listing, creation (and the seed's demo users), changes within the
//! role rules, deactivation and reactivation.

use super::{directory, Services};
use crate::{
    domain::{
        users::{self as rules, Email, Reassignment, Target},
        AuthResult, ExpectedVersion,
    },
    store::{
        audit,
        users::{self, Assignment, NewUser, UserFilter},
    },
};
use contracts::events::auth::{UserDeactivated, UserRegistered};
use kernel::{
    events::publish,
    pagination::{ListParams, Page},
    Caller, DomainError, DomainResult, ErrorCode, Role,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user account as clients see it (the users API and the sign-in answers).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// admin | evm_staff | dealer_manager | dealer_staff
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub active: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<users::Model> for UserDto {
    fn from(u: users::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            dealer_id: u.dealer_id,
            branch_id: u.branch_id,
            active: u.active,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

fn target(user: &users::Model) -> Target {
    Target {
        id: user.id,
        role: rules::role_of(&user.role),
        dealer_id: user.dealer_id,
    }
}

fn duplicate_email() -> DomainError {
    DomainError::conflict(
        ErrorCode::DuplicateEmail,
        "a user with this email already exists",
    )
}

/// A user the caller may see; 404 otherwise (never reveals other tenants' users).
async fn visible(
    db: &impl sea_orm::ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<users::Model> {
    users::find(db, id)
        .await?
        .filter(|u| rules::can_view(caller, target(u)))
        .ok_or(DomainError::NotFound("user"))
}

/// The caller's own account.
pub async fn me(services: &Services, caller: &Caller) -> DomainResult<users::Model> {
    users::find(services.db.conn(), caller.subject)
        .await?
        .ok_or(DomainError::NotFound("user"))
}

/// Updates the caller's own profile (name).
pub async fn update_me(
    services: &Services,
    caller: &Caller,
    name: Option<&str>,
) -> DomainResult<users::Model> {
    let txn = services.db.begin().await?;
    let user = users::find(&*txn, caller.subject)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let user = users::set_name(&*txn, user, name.map(str::trim)).await?;
    txn.commit().await?;
    Ok(user)
}

/// Users the caller may see: admins and OEM staff all, dealer managers their dealer's.
pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &UserFilter,
    params: &ListParams,
) -> DomainResult<Page<users::Model>> {
    let only_dealer = (caller.role == Role::DealerManager).then_some(caller.dealer_id);
    let role = filter
        .role
        .as_deref()
        .map(rules::parse_user_role)
        .transpose()?;
    users::list(services.db.conn(), only_dealer, role, filter, params).await
}

/// One user the caller may see.
pub async fn get(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<users::Model> {
    visible(services.db.conn(), caller, id).await
}

/// An account to create.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub password: String,
}

/// Creates a user within the caller's rights (a dealer manager: staff of their own dealer);
/// 409 `duplicate_email` when the email is taken.
pub async fn register(
    services: &Services,
    caller: &Caller,
    input: NewAccount,
) -> AuthResult<users::Model> {
    let email = Email::parse(&input.email)?;
    let role = rules::parse_user_role(&input.role)?;
    let dealer_id = rules::authorize_creation(caller, role, input.dealer_id)?;
    rules::check_dealer_assignment(role, dealer_id, input.branch_id)?;
    services.check_password("password", &input.password, email.as_str())?;
    if users::find_by_email(services.db.conn(), email.as_str())
        .await?
        .is_some()
    {
        return Err(duplicate_email().into());
    }
    let hash = services
        .hasher
        .hash(SecretString::from(input.password))
        .await?;
    let user = insert(
        services,
        Some(caller.subject),
        NewUser {
            id: Uuid::now_v7(),
            email: email.as_str(),
            name: input.name.trim(),
            role,
            dealer_id,
            branch_id: input.branch_id,
            password_hash: hash,
        },
    )
    .await?;
    Ok(user)
}

/// A demo account of the seed.
pub struct DemoUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

/// Creates a demo user unless its email is taken (`false`): the same path as `register`, so the
/// event is raised and the audit trail written too.
pub async fn seed(
    services: &Services,
    demo: DemoUser<'_>,
    password: SecretString,
) -> AuthResult<bool> {
    if users::find_by_email(services.db.conn(), demo.email)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let hash = services.hasher.hash(password).await?;
    let email = Email::parse(demo.email)?;
    let user = NewUser {
        id: demo.id,
        email: email.as_str(),
        name: demo.name,
        role: demo.role,
        dealer_id: demo.dealer_id,
        branch_id: demo.branch_id,
        password_hash: hash,
    };
    insert(services, None, user).await?;
    Ok(true)
}

/// Inserts a user and publishes `auth.user_registered.v1` in one transaction.
async fn insert(
    services: &Services,
    actor: Option<Uuid>,
    user: NewUser<'_>,
) -> DomainResult<users::Model> {
    let mut txn = services.db.begin().await?;
    directory::check_user_branch(&*txn, user.dealer_id, user.branch_id).await?;
    let user = users::insert(&*txn, user)
        .await
        .map_err(|e| match DomainError::from(e) {
            DomainError::Conflict {
                code: ErrorCode::Duplicate,
                ..
            } => duplicate_email(),
            other => other,
        })?;
    let event = UserRegistered {
        user_id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
        dealer_id: user.dealer_id,
        branch_id: user.branch_id,
    };
    publish(&mut txn, &event).await?;
    let record = audit::Record {
        user_id: Some(user.id),
        actor_id: actor,
        email: Some(user.email.clone()),
        detail: Some(user.role.clone()),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::UserCreated, record).await?;
    txn.commit().await?;
    Ok(user)
}

/// Changes to a user; `None` leaves a field as it is (`Some(None)` clears a dealer or branch).
#[derive(Debug, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub role: Option<String>,
    pub dealer_id: Option<Option<Uuid>>,
    pub branch_id: Option<Option<Uuid>>,
}

/// Updates a user at the version read. Only admins change roles and dealers; such a change ends
/// the user's sessions (their tokens carry both) and is audited.
pub async fn update(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    expected: ExpectedVersion,
    changes: UserChanges,
) -> AuthResult<users::Model> {
    let user = visible(services.db.conn(), caller, id).await?;
    let before = target(&user);
    rules::authorize_edit(caller, before)?;
    let role = match &changes.role {
        Some(raw) => rules::parse_user_role(raw)?,
        None => before.role,
    };
    let to = Reassignment {
        role,
        dealer_id: changes.dealer_id.unwrap_or(user.dealer_id),
        branch_id: changes.branch_id.unwrap_or(user.branch_id),
    };
    let reassigned = rules::authorize_change(caller, before, to)?;
    let name = changes.name.as_deref().map(str::trim).unwrap_or(&user.name);
    let txn = services.db.begin().await?;
    if changes.branch_id.is_some() || changes.dealer_id.is_some() {
        directory::check_user_branch(&*txn, to.dealer_id, to.branch_id).await?;
    }
    let assignment = Assignment {
        name,
        role: to.role,
        dealer_id: to.dealer_id,
        branch_id: to.branch_id,
    };
    if !users::update_at_version(&*txn, user.id, expected.version(), assignment).await? {
        return Err(expected.stale());
    }
    if reassigned {
        // Tokens carry the role and dealer: end sessions so new ones pick up the change.
        services
            .revoke_all_sessions(&*txn, user.id, "role_changed")
            .await?;
        let record = audit::Record {
            user_id: Some(user.id),
            actor_id: Some(caller.subject),
            detail: Some(format!(
                "{} -> {}; dealer {:?} -> {:?}",
                before.role, to.role, user.dealer_id, to.dealer_id
            )),
            ..Default::default()
        };
        audit::record(&*txn, audit::Kind::RoleChanged, record).await?;
    }
    let updated = users::find(&*txn, user.id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    txn.commit().await?;
    Ok(updated)
}

/// Deactivates a user: they can no longer sign in or refresh; their sessions end now. An
/// inactive user is answered as it is.
pub async fn deactivate(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> AuthResult<users::Model> {
    let user = visible(services.db.conn(), caller, id).await?;
    rules::authorize_deactivation(caller, target(&user))?;
    if !user.active {
        return Ok(user);
    }
    let mut txn = services.db.begin().await?;
    let updated = users::set_active(&*txn, user, false).await?;
    services
        .revoke_all_sessions(&*txn, updated.id, "deactivated")
        .await?;
    publish(
        &mut txn,
        &UserDeactivated {
            user_id: updated.id,
            dealer_id: updated.dealer_id,
        },
    )
    .await?;
    let record = audit::Record {
        user_id: Some(updated.id),
        actor_id: Some(caller.subject),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::UserDeactivated, record).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Reactivates a user; an active user is answered as it is.
pub async fn reactivate(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<users::Model> {
    let user = visible(services.db.conn(), caller, id).await?;
    rules::authorize_reactivation(caller, target(&user))?;
    if user.active {
        return Ok(user);
    }
    let txn = services.db.begin().await?;
    let updated = users::set_active(&*txn, user, true).await?;
    let record = audit::Record {
        user_id: Some(updated.id),
        actor_id: Some(caller.subject),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::UserReactivated, record).await?;
    txn.commit().await?;
    Ok(updated)
}
