//! The notification module's own tables: local copies of the people it writes to (users from
//! auth events, customers from customer events), admin template overrides, the delivery ledger
//! (one row per event × recipient × channel) and the in-app inbox.

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "notification";

#[derive(DeriveMigrationName)]
pub struct Migration;

fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "users"))
                    .col(id())
                    .col(string("email", 320))
                    .col(string("name", 200))
                    .col(string("role", 32))
                    .col(uuid_null("dealer_id"))
                    .col(uuid_null("branch_id"))
                    .col(string("locale", 8))
                    .col(boolean("active", true))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "users",
            "users_dealer_role",
            &["dealer_id", "role"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "customers"))
                    .col(id())
                    .col(uuid("dealer_id"))
                    .col(uuid_null("owner_id"))
                    .col(string_null("full_name", 200))
                    .col(string_null("email", 320))
                    .col(string_null("phone", 32))
                    .col(string_null("locale", 8))
                    .col(boolean("consent_email", false))
                    .col(boolean("consent_sms", false))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "templates"))
                    .col(id())
                    .col(string("event", 80))
                    .col(string("channel", 16))
                    .col(string("locale", 8))
                    .col(text("subject"))
                    .col(text("text"))
                    .col(text_null("html"))
                    .col(uuid_null("updated_by"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "templates",
            "templates_key",
            &["event", "channel", "locale"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "deliveries"))
                    .col(id())
                    .col(string("event_id", 36))
                    .col(string("event_name", 80))
                    .col(string("category", 32))
                    // `user:<id>` or `customer:<id>`.
                    .col(string("recipient", 80))
                    .col(uuid_null("user_id"))
                    .col(string("channel", 16))
                    .col(string("locale", 8))
                    .col(string_null("address", 320))
                    .col(json("context"))
                    .col(text_null("subject"))
                    .col(string("status", 16))
                    .col(integer("attempts", 0))
                    // Milliseconds since the epoch: portable and comparable on both backends.
                    .col(big_integer("next_attempt_at"))
                    .col(big_integer_null("claimed_until"))
                    .col(string_null("claim_token", 36))
                    .col(text_null("last_error"))
                    .col(string_null("provider", 32))
                    .col(string_null("provider_message_id", 300))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(timestamp_null("sent_at"))
                    .to_owned(),
            )
            .await?;
        // Exactly one message per event, recipient and channel, however often the event arrives.
        index(
            manager,
            S,
            "deliveries",
            "deliveries_once",
            &["event_id", "recipient", "channel"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "deliveries",
            "deliveries_due",
            &["status", "next_attempt_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "deliveries",
            "deliveries_created",
            &["created_at"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "inbox_items"))
                    .col(id())
                    .col(uuid("user_id"))
                    .col(uuid("delivery_id"))
                    .col(string("event_id", 36))
                    .col(string("event_name", 80))
                    .col(string("category", 32))
                    .col(text("title"))
                    .col(text("body"))
                    .col(timestamp("created_at"))
                    .col(timestamp_null("read_at"))
                    .col(timestamp_null("archived_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "inbox_items",
            "inbox_items_user",
            &["user_id", "created_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "inbox_items",
            "inbox_items_delivery",
            &["delivery_id"],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "inbox_items",
                "deliveries",
                "templates",
                "customers",
                "users",
            ],
        )
        .await
    }
}
