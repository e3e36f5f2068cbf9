//! Ledger rows held for users' daily digests (status `digest`): who has some, claiming one
//! user's rows for a digest run (one winner when several processes run), and releasing rows of
//! a category a user no longer takes as a digest.

use super::{
    deliveries::{Column, Entity, Model},
    now_ms,
};
use crate::domain::DeliveryStatus;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::BTreeSet;
use uuid::Uuid;

fn held() -> sea_orm::Select<Entity> {
    Entity::find().filter(Column::Status.eq(DeliveryStatus::Digest.as_str()))
}

fn unclaimed(now: i64) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(Column::ClaimedUntil.is_null())
        .add(Column::ClaimedUntil.lt(now))
}

/// The users with held rows no digest run is working on.
pub async fn users_with_held(db: &impl ConnectionTrait) -> Result<Vec<Uuid>, DbErr> {
    held()
        .select_only()
        .column(Column::UserId)
        .filter(Column::UserId.is_not_null())
        .filter(unclaimed(now_ms()))
        .distinct()
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await
        .map(|ids| ids.into_iter().flatten().collect())
}

/// Claims `user_id`'s unclaimed held rows for `lease_ms` under `token`, oldest first. The claim
/// is one conditional UPDATE, so of two runs racing for the same rows each row goes to one.
pub async fn claim(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    lease_ms: i64,
    token: Uuid,
) -> Result<Vec<Model>, DbErr> {
    let now = now_ms();
    Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(now + lease_ms))
        .col_expr(Column::ClaimToken, Expr::value(token.to_string()))
        .filter(Column::Status.eq(DeliveryStatus::Digest.as_str()))
        .filter(Column::UserId.eq(user_id))
        .filter(unclaimed(now))
        .exec(db)
        .await?;
    held()
        .filter(Column::ClaimToken.eq(token.to_string()))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Puts `user_id`'s held rows of categories outside `digested` back in line to go one by one
/// (rows a digest run is sending stay with it).
pub async fn release(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    digested: &BTreeSet<&str>,
) -> Result<u64, DbErr> {
    let now = now_ms();
    let released = Entity::update_many()
        .col_expr(Column::Status, Expr::value(DeliveryStatus::Queued.as_str()))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Status.eq(DeliveryStatus::Digest.as_str()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Category.is_not_in(digested.iter().copied()))
        .filter(unclaimed(now))
        .exec(db)
        .await?
        .rows_affected;
    Ok(released)
}
