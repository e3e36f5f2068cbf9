//! `auth.revocations`: revoked access tokens (`token`, by `jti`) and sessions (`session`), kept
//! until the last access token they cover expires. The durable denylist every process reads.

use sea_orm::{entity::prelude::*, sea_query::OnConflict, QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "revocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    pub reason: String,
    pub revoked_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One revocation to record.
pub struct NewRevocation<'a> {
    pub kind: &'a str,
    pub subject: String,
    pub reason: &'a str,
    pub expires_at: DateTimeUtc,
}

/// Records revocations; one already recorded stays as it is.
pub async fn insert(db: &impl ConnectionTrait, rows: Vec<NewRevocation<'_>>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let rows = rows.into_iter().map(|r| ActiveModel {
        kind: Set(r.kind.to_owned()),
        subject: Set(r.subject),
        reason: Set(r.reason.to_owned()),
        revoked_at: Set(now),
        expires_at: Set(r.expires_at),
    });
    Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([Column::Kind, Column::Subject])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Unexpired revocations recorded at or after `since`, oldest first.
pub async fn since(
    db: &impl ConnectionTrait,
    since: DateTimeUtc,
    now: DateTimeUtc,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RevokedAt.gte(since))
        .filter(Column::ExpiresAt.gt(now))
        .order_by_asc(Column::RevokedAt)
        .all(db)
        .await
}

/// Deletes the revocations whose tokens have all expired; how many.
pub async fn prune(db: &impl ConnectionTrait, now: DateTimeUtc) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
