//! `auth.revocations`: revoked access tokens (by `jti`) and sessions, until the last token they
//! cover expires. The durable denylist every process reads (Redis is only its fast path).

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "auth";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "revocations"))
                    .col(string("kind", 16))
                    .col(string("subject", 64))
                    .col(string("reason", 64))
                    .col(timestamp("revoked_at"))
                    .col(timestamp("expires_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("kind"))
                            .col(Alias::new("subject")),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "revocations",
            "revocations_revoked_at",
            &["revoked_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "revocations",
            "revocations_expires_at",
            &["expires_at"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["revocations"]).await
    }
}
