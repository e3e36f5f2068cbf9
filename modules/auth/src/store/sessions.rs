use sea_orm::{entity::prelude::*, sea_query::Expr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTimeUtc,
    pub last_used_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_active(&self, now: DateTimeUtc) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// Active sessions of a user.
pub async fn active_for_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(chrono::Utc::now()))
        .all(db)
        .await
}

/// Revokes the given sessions that are still active; returns the ids revoked.
pub async fn revoke(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    reason: &str,
) -> Result<Vec<Uuid>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(chrono::Utc::now()))
        .col_expr(Column::RevokedReason, Expr::value(reason))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(ids.to_vec())
}
