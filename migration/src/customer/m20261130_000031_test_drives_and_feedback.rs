use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "customer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The local, event-fed copy of the catalog: what can be test-driven.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "catalog_variants"))
                    .col(
                        ColumnDef::new(Alias::new("variant_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(string("model_name", 120))
                    .col(string("variant_name", 120))
                    .col(string("status", 16))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "branch_hours"))
                    .col(
                        ColumnDef::new(Alias::new("branch_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(uuid("dealer_id"))
                    .col(integer("utc_offset_minutes", 0))
                    // Seven entries, Monday first: {"opens":"08:00","closes":"18:00"} or null (closed).
                    .col(json("weekly"))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "test_drives"))
                    .col(id())
                    .col(uuid("dealer_id"))
                    .col(uuid("branch_id"))
                    .col(uuid("customer_id"))
                    .col(uuid("variant_id"))
                    .col(string_null("vin", 17))
                    .col(uuid("staff_id"))
                    .col(timestamp("starts_at"))
                    .col(timestamp("ends_at"))
                    .col(string("status", 16))
                    .col(text_null("notes"))
                    .col(text_null("cancel_reason"))
                    .col(ColumnDef::new(Alias::new("rating")).small_integer().null())
                    .col(text_null("feedback_comment"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "test_drives",
                        "customer_id",
                        "customers",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "test_drives",
            "test_drives_dealer_start",
            &["dealer_id", "starts_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "test_drives",
            "test_drives_customer",
            &["customer_id"],
            false,
        )
        .await?;
        // One row per booked half hour of a vehicle and of a customer: the primary key makes two
        // overlapping bookings impossible, whatever the isolation level or the race.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "test_drive_slots"))
                    .col(string("resource_key", 100))
                    .col(timestamp("slot_start"))
                    .col(uuid("test_drive_id"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("resource_key"))
                            .col(Alias::new("slot_start")),
                    )
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "test_drive_slots",
                        "test_drive_id",
                        "test_drives",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "test_drive_slots",
            "test_drive_slots_drive",
            &["test_drive_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "feedback"))
                    .col(id())
                    .col(uuid("dealer_id"))
                    .col(uuid_null("customer_id"))
                    .col(string("kind", 16))
                    .col(string("severity", 16))
                    .col(string("channel", 16))
                    .col(string("subject", 200))
                    .col(text_null("description"))
                    .col(string("status", 16))
                    .col(uuid_null("assigned_to"))
                    .col(text_null("resolution"))
                    .col(uuid("created_by"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(timestamp_null("resolved_at"))
                    .col(integer("version", 1))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "feedback",
                        "customer_id",
                        "customers",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "feedback",
            "feedback_dealer_status",
            &["dealer_id", "status", "created_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "feedback",
            "feedback_customer",
            &["customer_id"],
            false,
        )
        .await?;
        // The SQL implementation of the interaction timeline (the default analytics store).
        manager
            .create_table(
                Table::create()
                    .table(table(S, "timeline_entries"))
                    .col(id())
                    .col(uuid("customer_id"))
                    .col(uuid("dealer_id"))
                    .col(string("kind", 48))
                    .col(string("summary", 300))
                    .col(json("details"))
                    .col(timestamp("occurred_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "timeline_entries",
            "timeline_entries_customer",
            &["customer_id", "occurred_at"],
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
                "timeline_entries",
                "feedback",
                "test_drive_slots",
                "test_drives",
                "branch_hours",
                "catalog_variants",
            ],
        )
        .await
    }
}
