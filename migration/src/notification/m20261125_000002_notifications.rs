use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "notification";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "notifications"))
                    .col(id())
                    .col(uuid_null("recipient_user_id"))
                    .col(string("recipient_address", 320))
                    .col(string("channel", 16))
                    .col(string("template", 64))
                    .col(string("subject", 300))
                    .col(ColumnDef::new(Alias::new("body")).text().not_null())
                    .col(string("status", 16))
                    .col(integer("attempts", 0))
                    .col(string_null("provider", 32))
                    .col(string_null("provider_id", 200))
                    .col(string("source_event_id", 64))
                    .col(timestamp("created_at"))
                    .col(timestamp_null("sent_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "notifications",
            "notifications_recipient",
            &["recipient_user_id", "created_at"],
            false,
        )
        .await?;
        // One notification per event and template, even if a handler runs twice.
        index(
            manager,
            S,
            "notifications",
            "notifications_event_template",
            &["source_event_id", "template"],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["notifications"]).await
    }
}
