//! `auth.sessions`: one per sign-in; its refresh tokens rotate, revoking it ends them all.

use sea_orm::{entity::prelude::*, sea_query::Expr, Set};

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

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Session `id` if it belongs to `user_id` and is not revoked.
pub async fn find_unrevoked_of(
    db: &impl ConnectionTrait,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Ok(Entity::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await?
        .filter(|s| s.revoked_at.is_none()))
}

/// Where a session was opened from.
pub struct NewSession {
    pub user_id: Uuid,
    pub expires_at: DateTimeUtc,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

pub async fn insert(db: &impl ConnectionTrait, session: NewSession) -> Result<Model, DbErr> {
    let now = chrono::Utc::now();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(session.user_id),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(session.expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(session.user_agent),
        ip: Set(session.ip),
    }
    .insert(db)
    .await
}

pub async fn touch(
    db: &impl ConnectionTrait,
    session: Model,
    now: DateTimeUtc,
) -> Result<Model, DbErr> {
    let mut touched: ActiveModel = session.into();
    touched.last_used_at = Set(now);
    touched.update(db).await
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
