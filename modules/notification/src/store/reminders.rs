//! Reminders waiting for their time: one row per reminder key, pending until the sweep fires
//! it, or cancelled (paid, called off) or expired (too late) first.

use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "reminders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// `instalment:<order>:<number>` or `test_drive:<id>`.
        pub reminder_key: String,
        /// The event it becomes (`domain::reminders`).
        pub kind: String,
        /// The order or test drive it is about.
        pub subject_id: Uuid,
        pub payload: Json,
        pub fire_at: i64,
        pub expires_at: i64,
        /// An instalment's: the order's paid total that settles it.
        pub settled_by_paid_total: Option<i64>,
        /// pending | fired | cancelled | expired
        pub status: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub fired_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::{ActiveModel, Column, Entity, Model};

pub const PENDING: &str = "pending";
pub const FIRED: &str = "fired";
pub const CANCELLED: &str = "cancelled";
pub const EXPIRED: &str = "expired";

/// Records a reminder unless its key exists (a redelivered event neither duplicates it nor
/// revives a fired or cancelled one). Returns whether this call recorded it.
pub async fn insert_once(db: &impl ConnectionTrait, row: ActiveModel) -> Result<bool, DbErr> {
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::ReminderKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

async fn set_status(
    db: &impl ConnectionTrait,
    status: &str,
    filter: sea_orm::Condition,
) -> Result<u64, DbErr> {
    let now = chrono::Utc::now();
    let mut update = Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if status == FIRED {
        update = update.col_expr(Column::FiredAt, Expr::value(now));
    }
    Ok(update
        .filter(Column::Status.eq(PENDING))
        .filter(filter)
        .exec(db)
        .await?
        .rows_affected)
}

/// Cancels the pending reminders about `subject_id` (an order or a test drive).
pub async fn cancel_subject(db: &impl ConnectionTrait, subject_id: Uuid) -> Result<u64, DbErr> {
    set_status(
        db,
        CANCELLED,
        sea_orm::Condition::all().add(Column::SubjectId.eq(subject_id)),
    )
    .await
}

/// Cancels the pending reminders of an order's instalments that `paid_total` settles.
pub async fn cancel_settled(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    paid_total: i64,
) -> Result<u64, DbErr> {
    set_status(
        db,
        CANCELLED,
        sea_orm::Condition::all()
            .add(Column::SubjectId.eq(order_id))
            .add(Column::SettledByPaidTotal.lte(paid_total)),
    )
    .await
}

/// Marks one pending reminder fired or expired.
pub async fn settle(db: &impl ConnectionTrait, id: Uuid, status: &str) -> Result<u64, DbErr> {
    set_status(db, status, sea_orm::Condition::all().add(Column::Id.eq(id))).await
}

/// Up to `limit` pending reminders whose time has come, oldest first. Run inside the sweep's
/// write transaction: on Postgres the rows stay locked (another process skips them) until it
/// commits; SQLite writers are serialised.
pub async fn due(db: &impl ConnectionTrait, now_ms: i64, limit: u64) -> Result<Vec<Model>, DbErr> {
    let mut select = Entity::find()
        .filter(Column::Status.eq(PENDING))
        .filter(Column::FireAt.lte(now_ms))
        .order_by_asc(Column::FireAt)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    select.all(db).await
}

pub async fn by_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::ReminderKey.eq(key))
        .one(db)
        .await
}
