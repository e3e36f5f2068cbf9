//! `auth.refresh_tokens`: the rotating tokens of a session (only their hash is kept).

use sea_orm::{entity::prelude::*, sea_query::Expr, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// Once rotated: the successor, sealed (never in plaintext), kept while it is the
    /// session's newest token, for the reuse grace window.
    pub successor_sealed: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn find_by_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Marks the token used, keeping its sealed successor, if nobody did before (the
/// compare-and-swap that lets exactly one of racing requests rotate it); false means another
/// request already rotated it.
pub async fn mark_used(
    db: &impl ConnectionTrait,
    id: Uuid,
    successor_sealed: Option<String>,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(chrono::Utc::now()))
        .col_expr(Column::SuccessorSealed, Expr::value(successor_sealed))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Forgets the sealed successors of a session's tokens other than `keep`: only the immediately
/// previous token may be replayed, and a revoked family none.
pub async fn forget_successors(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    keep: Option<Uuid>,
) -> Result<(), DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::SuccessorSealed, Expr::value(Option::<String>::None))
        .filter(Column::SessionId.eq(session_id))
        .filter(Column::SuccessorSealed.is_not_null());
    if let Some(keep) = keep {
        update = update.filter(Column::Id.ne(keep));
    }
    update.exec(db).await?;
    Ok(())
}

/// Adds a fresh refresh token (by its hash) to a session; it expires with the session.
pub async fn insert(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    hash: String,
    expires_at: DateTimeUtc,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(hash),
        created_at: Set(chrono::Utc::now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        successor_sealed: Set(None),
    }
    .insert(db)
    .await
}
