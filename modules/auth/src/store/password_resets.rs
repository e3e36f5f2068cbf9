//! `auth.password_resets`: one-time reset tokens (only their hash is kept).

use sea_orm::{entity::prelude::*, sea_query::Expr, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "password_resets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hash: String,
    created_at: DateTimeUtc,
    expires_at: DateTimeUtc,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(hash),
        created_at: Set(created_at),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn find_by_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await
}

/// Marks the token used if nobody did before; false means another reset used it first.
pub async fn claim(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::Id.eq(id))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
