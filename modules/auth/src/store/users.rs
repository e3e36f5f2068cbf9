//! `auth.users`: the accounts people sign in with, and every query on them.

use kernel::{
    pagination::{bool_or_string, ListParams, Page},
    DomainResult, Role,
};
use sea_orm::{entity::prelude::*, Condition, Order, QueryTrait, Set};
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub password_hash: String,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("user", Active);

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Email.eq(email)).one(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// admin | evm_staff | dealer_manager | dealer_staff
    pub role: Option<String>,
    pub dealer_id: Option<Uuid>,
    #[serde(default, deserialize_with = "bool_or_string")]
    pub active: Option<bool>,
}

/// Users narrowed by `only_dealer` (`Some(d)`: just dealer `d`'s, `Some(None)`: nobody with a
/// dealer), the parsed `role` and the rest of `filter`; `q` searches email and name.
pub async fn list(
    db: &impl ConnectionTrait,
    only_dealer: Option<Option<Uuid>>,
    role: Option<Role>,
    filter: &UserFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let mut select = Entity::find()
        .apply_if(only_dealer, |q, dealer| {
            q.filter(Column::DealerId.eq(dealer))
        })
        .apply_if(role, |q, role| q.filter(Column::Role.eq(role.as_str())))
        .apply_if(filter.dealer_id, |q, dealer| {
            q.filter(Column::DealerId.eq(dealer))
        })
        .apply_if(filter.active, |q, active| {
            q.filter(Column::Active.eq(active))
        });
    if let Some(q) = params.query() {
        select = select.filter(
            Condition::any()
                .add(kernel::store::contains_ignoring_case(Column::Email, q))
                .add(kernel::store::contains_ignoring_case(Column::Name, q)),
        );
    }
    let sortable = [
        ("email", Column::Email),
        ("name", Column::Name),
        ("role", Column::Role),
        ("createdAt", Column::CreatedAt),
        ("lastLoginAt", Column::LastLoginAt),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::CreatedAt, Order::Desc),
            Column::Id,
        )
        .await
}

/// A new, active account.
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub password_hash: String,
}

pub async fn insert(db: &impl ConnectionTrait, user: NewUser<'_>) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    ActiveModel {
        id: Set(user.id),
        email: Set(user.email.to_owned()),
        name: Set(user.name.to_owned()),
        role: Set(user.role.as_str().to_owned()),
        dealer_id: Set(user.dealer_id),
        branch_id: Set(user.branch_id),
        password_hash: Set(user.password_hash),
        active: Set(true),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
}

/// Writes `changes` (plus the next version and `updated_at`) to a read row.
async fn bump(
    db: &impl ConnectionTrait,
    user: Model,
    changes: impl FnOnce(&mut ActiveModel),
) -> Result<Model, DbErr> {
    let version = user.version;
    let mut active: ActiveModel = user.into();
    changes(&mut active);
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    active.update(db).await
}

/// Renames a user (`None`: only the version moves on, as a profile save does).
pub async fn set_name(
    db: &impl ConnectionTrait,
    user: Model,
    name: Option<&str>,
) -> Result<Model, DbErr> {
    bump(db, user, |active| {
        if let Some(name) = name {
            active.name = Set(name.to_owned());
        }
    })
    .await
}

pub async fn set_active(db: &impl ConnectionTrait, user: Model, on: bool) -> Result<Model, DbErr> {
    bump(db, user, |active| active.active = Set(on)).await
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    user: Model,
    hash: String,
) -> Result<Model, DbErr> {
    bump(db, user, |active| active.password_hash = Set(hash)).await
}

/// Notes a successful sign-in (no new version: nothing the user edits changed).
pub async fn record_login(db: &impl ConnectionTrait, user: Model) -> Result<Model, DbErr> {
    let mut active: ActiveModel = user.into();
    active.last_login_at = Set(Some(chrono::Utc::now()));
    active.update(db).await
}

/// What an update of a user writes.
pub struct Assignment<'a> {
    pub name: &'a str,
    pub role: Role,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

/// Writes `to` only while the row is still at `version`; `false`: it changed meanwhile.
pub async fn update_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    to: Assignment<'_>,
) -> DomainResult<bool> {
    let changes = ActiveModel {
        name: Set(to.name.to_owned()),
        role: Set(to.role.as_str().to_owned()),
        dealer_id: Set(to.dealer_id),
        branch_id: Set(to.branch_id),
        ..Default::default()
    };
    kernel::store::update_at_version::<Entity>(db, id, version, changes).await
}
