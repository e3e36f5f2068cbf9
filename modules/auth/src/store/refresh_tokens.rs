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

/// Marks the token used if nobody did before; false means another request already rotated it.
pub async fn mark_used(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
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
    }
    .insert(db)
    .await
}
