//! `auth.service_clients`: machine identities of the client-credentials grant.

use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "service_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    /// Space-separated.
    pub scopes: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("service client", Active);

impl Model {
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_by_client_id(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .one(db)
        .await
}

pub async fn list(db: &impl ConnectionTrait, params: &ListParams) -> DomainResult<Page<Model>> {
    let sortable = [("name", Column::Name), ("createdAt", Column::CreatedAt)];
    params
        .fetch(
            db,
            Entity::find(),
            &sortable,
            (Column::CreatedAt, Order::Desc),
            Column::Id,
        )
        .await
}

/// A new active client `svc_<id>` with the given secret hash and (normalised) scopes.
pub async fn insert(
    db: &impl ConnectionTrait,
    name: &str,
    secret_hash: String,
    scopes: String,
) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    ActiveModel {
        id: Set(id),
        client_id: Set(format!("svc_{}", id.simple())),
        name: Set(name.to_owned()),
        secret_hash: Set(secret_hash),
        scopes: Set(scopes),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await
}

/// What an update of a client writes.
pub struct Changes<'a> {
    pub name: &'a str,
    pub scopes: String,
    pub active: bool,
}

/// Writes `to` only while the row is still at `version`; `false`: it changed meanwhile.
pub async fn update_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    to: Changes<'_>,
) -> DomainResult<bool> {
    let changes = ActiveModel {
        name: Set(to.name.to_owned()),
        scopes: Set(to.scopes),
        active: Set(to.active),
        ..Default::default()
    };
    kernel::store::update_at_version::<Entity>(db, id, version, changes).await
}

/// Deletes a client; whether it existed.
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(Entity::delete_by_id(id).exec(db).await?.rows_affected == 1)
}

pub async fn set_secret(
    db: &impl ConnectionTrait,
    client: Model,
    secret_hash: String,
) -> Result<Model, DbErr> {
    let version = client.version;
    let mut active: ActiveModel = client.into();
    active.secret_hash = Set(secret_hash);
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    active.update(db).await
}
