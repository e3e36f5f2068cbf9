//! Users' notification preferences (only the settings that differ from the default: a channel
//! turned off for a category), the categories they take as a daily digest, and a copy of each
//! dealer's time zone (SMS quiet hours are kept in the dealer's local time).

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "notification";

#[derive(DeriveMigrationName)]
pub struct Migration;

fn key(columns: &[&str]) -> IndexCreateStatement {
    let mut primary = Index::create();
    for column in columns {
        primary.col(Alias::new(*column));
    }
    primary.primary().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "preferences"))
                    .col(uuid("user_id"))
                    .col(string("category", 32))
                    .col(string("channel", 16))
                    .col(boolean("enabled", true))
                    .col(timestamp("updated_at"))
                    .primary_key(&mut key(&["user_id", "category", "channel"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "digest_categories"))
                    .col(uuid("user_id"))
                    .col(string("category", 32))
                    .col(timestamp("created_at"))
                    .primary_key(&mut key(&["user_id", "category"]))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealers"))
                    .col(id())
                    .col(string_null("time_zone", 64))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        // The digest run finds each user's held rows.
        index(
            manager,
            S,
            "deliveries",
            "deliveries_held",
            &["status", "user_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use sea_orm_migration::sea_orm::ConnectionTrait;
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX \"{S}\".\"deliveries_held\""))
            .await?;
        drop_tables(manager, S, &["dealers", "digest_categories", "preferences"]).await
    }
}
