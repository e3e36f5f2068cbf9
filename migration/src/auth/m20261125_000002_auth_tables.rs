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
                    .table(table(S, "users"))
                    .col(id())
                    .col(string("email", 320).unique_key())
                    .col(string("name", 200))
                    .col(string("role", 32))
                    .col(uuid_null("dealer_id"))
                    .col(uuid_null("branch_id"))
                    .col(string("password_hash", 255))
                    .col(boolean("active", true))
                    .col(timestamp_null("last_login_at"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        index(manager, S, "users", "users_dealer", &["dealer_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "sessions"))
                    .col(id())
                    .col(uuid("user_id"))
                    .col(timestamp("created_at"))
                    .col(timestamp("last_used_at"))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("revoked_at"))
                    .col(string_null("revoked_reason", 64))
                    .col(string_null("user_agent", 500))
                    .col(string_null("ip", 64))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "sessions",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, S, "sessions", "sessions_user", &["user_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "refresh_tokens"))
                    .col(id())
                    .col(uuid("session_id"))
                    .col(string("token_hash", 64).unique_key())
                    .col(timestamp("created_at"))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("used_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "refresh_tokens",
                        "session_id",
                        "sessions",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "refresh_tokens",
            "refresh_tokens_session",
            &["session_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "service_clients"))
                    .col(id())
                    .col(string("client_id", 100).unique_key())
                    .col(string("name", 200))
                    .col(string("secret_hash", 128))
                    .col(string("scopes", 1000))
                    .col(boolean("active", true))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "password_resets"))
                    .col(id())
                    .col(uuid("user_id"))
                    .col(string("token_hash", 64).unique_key())
                    .col(timestamp("created_at"))
                    .col(timestamp("expires_at"))
                    .col(timestamp_null("used_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "password_resets",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "audit_events"))
                    .col(id())
                    .col(timestamp("occurred_at"))
                    .col(string("kind", 64))
                    .col(uuid_null("user_id"))
                    .col(uuid_null("actor_id"))
                    .col(string_null("email", 320))
                    .col(string_null("ip", 64))
                    .col(text_null("detail"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "audit_events",
            "audit_events_user",
            &["user_id", "occurred_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "audit_events",
                "password_resets",
                "service_clients",
                "refresh_tokens",
                "sessions",
                "users",
            ],
        )
        .await
    }
}
