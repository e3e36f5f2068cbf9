//! User accounts: own profile, listing, creation and management within the role rules.

use super::{
    etag, expected_version, stale, CreateUserRequest, State, UpdateProfileRequest,
    UpdateUserRequest, UserDto,
};
use crate::{
    domain::{self, Email, Target},
    passwords::check_policy,
    store::{audit, users},
};
use actix_web::{web, HttpRequest, HttpResponse};
use contracts::events::auth::{UserDeactivated, UserRegistered};
use kernel::{
    events::publish,
    pagination::{bool_or_string, ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, Role,
};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, Order, QueryFilter, Set,
};
use secrecy::SecretString;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// admin | evm_staff | dealer_manager | dealer_staff
    pub role: Option<String>,
    pub dealer_id: Option<Uuid>,
    #[serde(default, deserialize_with = "bool_or_string")]
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct UserListQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(flatten)]
    filter: UserFilter,
}

fn role_of(user: &users::Model) -> Role {
    user.role.parse().unwrap_or(Role::DealerStaff)
}

fn target(user: &users::Model) -> Target {
    Target {
        id: user.id,
        role: role_of(user),
        dealer_id: user.dealer_id,
    }
}

/// Loads a user the caller may see; 404 otherwise (never reveals other tenants' users).
async fn visible_user(state: &State, caller: &Caller, id: Uuid) -> ApiResult<users::Model> {
    users::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .filter(|u| domain::can_view(caller, target(u)))
        .ok_or_else(|| ApiError::not_found("no such user"))
}

fn with_etag(user: users::Model) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(etag(user.version))
        .json(UserDto::from(user))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])), responses((status = 200, body = UserDto)))]
pub async fn me(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let user = users::Entity::find_by_id(caller.subject)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(with_etag(user))
}

/// Updates the caller's own profile (name).
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])), request_body = UpdateProfileRequest,
    responses((status = 200, body = UserDto)))]
pub async fn update_me(
    state: State,
    caller: Caller,
    body: ValidJson<UpdateProfileRequest>,
) -> ApiResult<HttpResponse> {
    let txn = state.db.begin().await?;
    let user = users::Entity::find_by_id(caller.subject)
        .one(&*txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    let version = user.version;
    let mut active: users::ActiveModel = user.into();
    if let Some(name) = &body.name {
        active.name = Set(name.trim().to_owned());
    }
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    let user = active.update(&*txn).await?;
    txn.commit().await?;
    Ok(with_etag(user))
}

/// Users the caller may see: admins and OEM staff all, dealer managers their dealer's.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(ListParams, UserFilter),
    responses((status = 200, body = Page<UserDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<UserListQuery>,
) -> ApiResult<HttpResponse> {
    let UserListQuery { list, filter } = query.into_inner();
    let mut select = users::Entity::find();
    if caller.role == Role::DealerManager {
        select = select.filter(users::Column::DealerId.eq(caller.dealer_id));
    }
    if let Some(role) = &filter.role {
        select = select.filter(users::Column::Role.eq(domain::parse_user_role(role)?.as_str()));
    }
    if let Some(dealer) = filter.dealer_id {
        select = select.filter(users::Column::DealerId.eq(dealer));
    }
    if let Some(active) = filter.active {
        select = select.filter(users::Column::Active.eq(active));
    }
    if let Some(q) = list.query() {
        // An explicit ESCAPE makes `%` and `_` in the search literal on SQLite and Postgres alike.
        let pattern = format!(
            "%{}%",
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        select = select.filter(
            Condition::any()
                .add(
                    Expr::col(users::Column::Email)
                        .like(LikeExpr::new(pattern.as_str()).escape('\\')),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(users::Column::Name)))
                        .like(LikeExpr::new(pattern.as_str()).escape('\\')),
                ),
        );
    }
    let sortable = [
        ("email", users::Column::Email),
        ("name", users::Column::Name),
        ("role", users::Column::Role),
        ("createdAt", users::Column::CreatedAt),
        ("lastLoginAt", users::Column::LastLoginAt),
    ];
    let page = list
        .fetch(
            state.db.conn(),
            select,
            &sortable,
            (users::Column::CreatedAt, Order::Desc),
            users::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(UserDto::from)))
}

/// Creates a user within the caller's rights (a dealer manager: staff of their own dealer).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserDto),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already registered", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let email = Email::parse(&body.email)?;
    let role = domain::parse_user_role(&body.role)?;
    let dealer_id = domain::authorize_creation(&caller, role, body.dealer_id)?;
    domain::check_dealer_assignment(role, dealer_id, body.branch_id)?;
    check_policy("password", &body.password, email.as_str()).map_err(ApiError::validation)?;
    if users::find_by_email(state.db.conn(), email.as_str())
        .await?
        .is_some()
    {
        return Err(ApiError::conflict("a user with this email already exists")
            .with_code(kernel::error::ErrorCode::DuplicateEmail));
    }
    let hash = state.hasher.hash(SecretString::from(body.password)).await?;
    let user = insert_user(
        &state,
        Uuid::now_v7(),
        Some(caller.subject),
        email,
        body.name.trim(),
        role,
        dealer_id,
        body.branch_id,
        hash,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .insert_header(etag(user.version))
        .json(UserDto::from(user)))
}

/// Inserts a user and publishes `auth.user_registered.v1` in one transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_user(
    state: &State,
    id: Uuid,
    actor: Option<Uuid>,
    email: Email,
    name: &str,
    role: Role,
    dealer_id: Option<Uuid>,
    branch_id: Option<Uuid>,
    password_hash: String,
) -> ApiResult<users::Model> {
    let now = chrono::Utc::now();
    let mut txn = state.db.begin().await?;
    let user = users::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        dealer_id: Set(dealer_id),
        branch_id: Set(branch_id),
        password_hash: Set(password_hash),
        active: Set(true),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        duplicate if duplicate.kind() == kernel::error::ErrorKind::Conflict => {
            ApiError::conflict("a user with this email already exists")
                .with_code(kernel::error::ErrorCode::DuplicateEmail)
        }
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

/// One user the caller may see.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(with_etag(visible_user(&state, &caller, *id).await?))
}

/// Updates a user (optimistic: `If-Match` or `version`). Only admins change roles and dealers.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserDto),
        (status = 409, description = "Stale version", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let (expected, from_header) = expected_version(&req, body.version)?;
    let user = visible_user(&state, &caller, *id).await?;
    if !domain::can_manage(&caller, target(&user)) {
        return Err(ApiError::forbidden("you may not change this user"));
    }
    let old_role = role_of(&user);
    let role = match &body.role {
        Some(raw) => domain::parse_user_role(raw)?,
        None => old_role,
    };
    let dealer_id = body.dealer_id.unwrap_or(user.dealer_id);
    let branch_id = body.branch_id.unwrap_or(user.branch_id);
    if (role != old_role || dealer_id != user.dealer_id) && caller.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only administrators change roles and dealers",
        ));
    }
    if role != old_role && user.id == caller.subject {
        return Err(ApiError::conflict("you cannot change your own role"));
    }
    domain::check_dealer_assignment(role, dealer_id, branch_id)?;
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&user.name)
        .to_owned();
    let txn = state.db.begin().await?;
    let result = users::Entity::update_many()
        .col_expr(users::Column::Name, Expr::value(name))
        .col_expr(users::Column::Role, Expr::value(role.as_str()))
        .col_expr(users::Column::DealerId, Expr::value(dealer_id))
        .col_expr(users::Column::BranchId, Expr::value(branch_id))
        .col_expr(users::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .col_expr(users::Column::Version, Expr::value(expected + 1))
        .filter(users::Column::Id.eq(user.id))
        .filter(users::Column::Version.eq(expected))
        .exec(&*txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(stale(from_header));
    }
    if role != old_role || dealer_id != user.dealer_id {
        // Tokens carry the role and dealer: end sessions so new ones pick up the change.
        state
            .revoke_all_sessions(&*txn, user.id, "role_changed")
            .await?;
        let record = audit::Record {
            user_id: Some(user.id),
            actor_id: Some(caller.subject),
            detail: Some(format!(
                "{old_role} -> {role}; dealer {:?} -> {:?}",
                user.dealer_id, dealer_id
            )),
            ..Default::default()
        };
        audit::record(&*txn, audit::Kind::RoleChanged, record).await?;
    }
    let updated = users::Entity::find_by_id(user.id)
        .one(&*txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    txn.commit().await?;
    Ok(with_etag(updated))
}

/// Deactivates a user: they can no longer sign in or refresh; their sessions end now.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto)))]
pub async fn deactivate(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let user = visible_user(&state, &caller, *id).await?;
    if !domain::can_manage(&caller, target(&user)) {
        return Err(ApiError::forbidden("you may not deactivate this user"));
    }
    if user.id == caller.subject {
        return Err(ApiError::conflict("you cannot deactivate yourself"));
    }
    if !user.active {
        return Ok(with_etag(user));
    }
    let mut txn = state.db.begin().await?;
    let updated = set_active(&txn, user, false).await?;
    state
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
    Ok(with_etag(updated))
}

/// Reactivates a user.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto)))]
pub async fn reactivate(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let user = visible_user(&state, &caller, *id).await?;
    if !domain::can_manage(&caller, target(&user)) {
        return Err(ApiError::forbidden("you may not reactivate this user"));
    }
    if user.active {
        return Ok(with_etag(user));
    }
    let txn = state.db.begin().await?;
    let updated = set_active(&txn, user, true).await?;
    let record = audit::Record {
        user_id: Some(updated.id),
        actor_id: Some(caller.subject),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::UserReactivated, record).await?;
    txn.commit().await?;
    Ok(with_etag(updated))
}

async fn set_active(
    txn: &kernel::WriteTxn,
    user: users::Model,
    active_now: bool,
) -> ApiResult<users::Model> {
    let version = user.version;
    let mut active: users::ActiveModel = user.into();
    active.active = Set(active_now);
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    Ok(active.update(&**txn).await?)
}
