//! Reminders the notification module sends ahead of a date it learned from events: an instalment
//! due soon, a test drive tomorrow. One row per reminder key; a sweep turns due rows into
//! delivery-ledger rows.

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
                    .table(table(S, "reminders"))
                    .col(id())
                    // `instalment:<order>:<number>` or `test_drive:<id>`.
                    .col(string("reminder_key", 120))
                    .col(string("kind", 40))
                    // The order or test drive it is about (cancellations look it up).
                    .col(uuid("subject_id"))
                    .col(json("payload"))
                    .col(big_integer("fire_at"))
                    // Past this, the reminder is pointless and is dropped unsent.
                    .col(big_integer("expires_at"))
                    // An instalment's: the order's paid total that settles it (payments settle
                    // the oldest instalment first), so a payment reaching it cancels the reminder.
                    .col(big_integer_null("settled_by_paid_total"))
                    // pending | fired | cancelled | expired
                    .col(string("status", 16))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(timestamp_null("fired_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "reminders",
            "reminders_key",
            &["reminder_key"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "reminders",
            "reminders_due",
            &["status", "fire_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "reminders",
            "reminders_subject",
            &["subject_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["reminders"]).await
    }
}
