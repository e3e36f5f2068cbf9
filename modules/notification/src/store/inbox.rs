//! The in-app inbox: one item per in-app delivery, owned by one user.

use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

pub mod entity {
    use sea_orm::entity::prelude::*;

    /// Serde: the item also travels between processes (live push).
    #[derive(
        Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize,
    )]
    #[sea_orm(schema_name = "notification", table_name = "inbox_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub delivery_id: Uuid,
        pub event_id: String,
        pub event_name: String,
        pub category: String,
        pub title: String,
        pub body: String,
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
        pub archived_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::{ActiveModel, Column, Entity, Model};

/// The user's items, archived ones only if asked, unread ones only if asked.
pub fn of_user(user_id: Uuid, unread_only: bool, archived: bool) -> Select<Entity> {
    let mut select = Entity::find().filter(Column::UserId.eq(user_id));
    select = if archived {
        select.filter(Column::ArchivedAt.is_not_null())
    } else {
        select.filter(Column::ArchivedAt.is_null())
    };
    if unread_only {
        select = select.filter(Column::ReadAt.is_null());
    }
    select
}

/// The user's items (not archived) with an id after `after` — created later, since ids are
/// UUID v7 — oldest first, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    after: Uuid,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    of_user(user_id, false, false)
        .filter(Column::Id.gt(after))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The user's items (not archived) created at or after `since`, oldest first, at most `limit`.
pub async fn created_since(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    since: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    of_user(user_id, false, false)
        .filter(Column::CreatedAt.gte(since))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn unread_count(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    of_user(user_id, true, false).count(db).await
}

/// Sets or clears `read_at` of one of the user's items. Returns whether the item is theirs.
pub async fn mark(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
    read: bool,
) -> Result<bool, DbErr> {
    let value = read.then(chrono::Utc::now);
    let mut update = Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(value))
        .filter(Column::Id.eq(id))
        .filter(Column::UserId.eq(user_id));
    if read {
        // Keep the first read time.
        update = update.filter(Column::ReadAt.is_null());
    }
    let changed = update.exec(db).await?.rows_affected;
    Ok(changed == 1 || owns(db, user_id, id).await?)
}

pub async fn mark_all_read(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    Ok(Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(chrono::Utc::now()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Archives one of the user's items (also marking it read). Returns whether it is theirs.
pub async fn archive(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> Result<bool, DbErr> {
    let now = chrono::Utc::now();
    Entity::update_many()
        .col_expr(Column::ArchivedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ArchivedAt.is_null())
        .exec(db)
        .await?;
    mark(db, user_id, id, true).await
}

async fn owns(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> Result<bool, DbErr> {
    Ok(Entity::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await?
        .is_some())
}

pub async fn find_own(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}
