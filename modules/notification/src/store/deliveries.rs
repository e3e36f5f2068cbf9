//! The delivery ledger: one row per (event, recipient, channel), claimed by dispatchers when due.

use super::now_ms;
use crate::domain::DeliveryStatus;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event_id: String,
        pub event_name: String,
        pub category: String,
        /// `user:<id>` or `customer:<id>`.
        pub recipient: String,
        pub user_id: Option<Uuid>,
        /// email | sms | in_app
        pub channel: String,
        pub locale: String,
        pub address: Option<String>,
        /// The render context: the event's payload, the recipient's name, links.
        pub context: Json,
        pub subject: Option<String>,
        /// queued | sent | failed | dead | digest (see `DeliveryStatus`)
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: i64,
        pub claimed_until: Option<i64>,
        pub claim_token: Option<String>,
        pub last_error: Option<String>,
        pub provider: Option<String>,
        pub provider_message_id: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::{ActiveModel, Column, Entity, Model};

/// Inserts a delivery unless one exists for its (event, recipient, channel). Returns whether
/// this call inserted it.
pub async fn insert_once(db: &impl ConnectionTrait, row: ActiveModel) -> Result<bool, DbErr> {
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::EventId, Column::Recipient, Column::Channel])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// Claims up to `limit` due deliveries for `lease_ms` under `token`: queued or failed, whose
/// next attempt is due and which no live claim holds. Postgres skips rows another dispatcher is
/// claiming; SQLite writers are serialised by the caller's write transaction.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    limit: u64,
    lease_ms: i64,
    token: Uuid,
) -> Result<Vec<Model>, DbErr> {
    let now = now_ms();
    let mut select = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.is_in([
            DeliveryStatus::Queued.as_str(),
            DeliveryStatus::Failed.as_str(),
        ]))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Column::ClaimedUntil
                .is_null()
                .or(Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let ids: Vec<Uuid> = select.into_tuple().all(db).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(now + lease_ms))
        .col_expr(Column::ClaimToken, Expr::value(token.to_string()))
        .filter(Column::Id.is_in(ids.clone()))
        .exec(db)
        .await?;
    Entity::find()
        .filter(Column::Id.is_in(ids))
        .filter(Column::ClaimToken.eq(token.to_string()))
        .all(db)
        .await
}

/// How an attempt ended, for [`settle`].
pub enum Settlement {
    Sent {
        provider: String,
        provider_message_id: String,
        subject: String,
        /// The context with one-time secrets redacted.
        context: serde_json::Value,
    },
    Failed {
        error: String,
        retry_at_ms: i64,
    },
    Dead {
        error: String,
    },
    /// Not attempted: it may not go before `until_ms` (SMS quiet hours). No attempt is counted.
    Deferred {
        until_ms: i64,
    },
    /// A held message's digest could not be sent: it stays held for the next run.
    Held {
        error: String,
    },
}

/// Records the outcome of the attempt made under `token` (a claim that expired and was taken by
/// another dispatcher is left to that one).
pub async fn settle(
    db: &impl ConnectionTrait,
    id: Uuid,
    token: Uuid,
    outcome: Settlement,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let mut update = Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::ClaimToken, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    if !matches!(outcome, Settlement::Deferred { .. }) {
        update = update.col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1));
    }
    update = match outcome {
        Settlement::Sent {
            provider,
            provider_message_id,
            subject,
            context,
        } => update
            .col_expr(Column::Status, Expr::value(DeliveryStatus::Sent.as_str()))
            .col_expr(Column::Provider, Expr::value(provider))
            .col_expr(Column::ProviderMessageId, Expr::value(provider_message_id))
            .col_expr(Column::Subject, Expr::value(subject))
            .col_expr(Column::Context, Expr::value(context))
            .col_expr(Column::LastError, Expr::value(Option::<String>::None))
            .col_expr(Column::SentAt, Expr::value(now)),
        Settlement::Failed { error, retry_at_ms } => update
            .col_expr(Column::Status, Expr::value(DeliveryStatus::Failed.as_str()))
            .col_expr(Column::LastError, Expr::value(error))
            .col_expr(Column::NextAttemptAt, Expr::value(retry_at_ms)),
        Settlement::Dead { error } => update
            .col_expr(Column::Status, Expr::value(DeliveryStatus::Dead.as_str()))
            .col_expr(Column::LastError, Expr::value(error)),
        Settlement::Deferred { until_ms } => {
            update.col_expr(Column::NextAttemptAt, Expr::value(until_ms))
        }
        Settlement::Held { error } => update.col_expr(Column::LastError, Expr::value(error)),
    };
    update
        .filter(Column::Id.eq(id))
        .filter(Column::ClaimToken.eq(token.to_string()))
        .exec(db)
        .await?;
    Ok(())
}

/// Puts a delivery back in line with fresh attempts. Returns whether it existed.
pub async fn requeue(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let changed = Entity::update_many()
        .col_expr(Column::Status, Expr::value(DeliveryStatus::Queued.as_str()))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now_ms()))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::ClaimToken, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// Forgets an erased recipient: their address and message contents go; unsent messages die.
pub async fn forget_recipient(db: &impl ConnectionTrait, recipient: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(DeliveryStatus::Dead.as_str()))
        .col_expr(Column::LastError, Expr::value("the recipient was erased"))
        .filter(Column::Recipient.eq(recipient))
        .filter(Column::Status.ne(DeliveryStatus::Sent.as_str()))
        .exec(db)
        .await?;
    Entity::update_many()
        .col_expr(Column::Address, Expr::value(Option::<String>::None))
        .col_expr(Column::Context, Expr::value(serde_json::json!({})))
        .col_expr(Column::Subject, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Recipient.eq(recipient))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// What the ledger can be narrowed by.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub channel: Option<crate::domain::Channel>,
    /// Event name, e.g. `manufacturer.dealer_order_approved.v1`.
    pub event: Option<String>,
    pub event_id: Option<String>,
    /// `user:<id>` or `customer:<id>`.
    pub recipient: Option<String>,
}

/// The ledger narrowed by any of status, channel, event name, event id and recipient; newest
/// first unless sorted by `createdAt`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &DeliveryFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let mut select = Entity::find();
    for (column, value) in [
        (Column::Status, filter.status.map(|s| s.as_str())),
        (Column::Channel, filter.channel.map(|c| c.as_str())),
        (Column::EventName, filter.event.as_deref()),
        (Column::EventId, filter.event_id.as_deref()),
        (Column::Recipient, filter.recipient.as_deref()),
    ] {
        if let Some(value) = value {
            select = select.filter(column.eq(value));
        }
    }
    let sortable = [("createdAt", Column::CreatedAt)];
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
