use crate::helpers::*;
use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

const S: &str = "customer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "customers"))
                    .col(id())
                    .col(uuid("dealer_id"))
                    .col(string("kind", 16))
                    .col(string("full_name", 160))
                    // Lower-cased name, the key of name search.
                    .col(string("search_name", 160))
                    .col(string_null("company_name", 160))
                    .col(string_null("tax_number", 32))
                    .col(string_null("phone", 32))
                    // Digits only (with the country code), the key of duplicate detection.
                    .col(string_null("phone_normalized", 20))
                    .col(string_null("email", 254))
                    .col(string_null("email_normalized", 254))
                    .col(text_null("address"))
                    .col(ColumnDef::new(Alias::new("date_of_birth")).date().null())
                    .col(text_null("notes"))
                    .col(boolean("consent_email", false))
                    .col(boolean("consent_sms", false))
                    .col(string("status", 16))
                    .col(uuid("created_by"))
                    // The salesperson who looks after the customer (dealer staff see only theirs).
                    .col(uuid("owner_id"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(timestamp_null("erased_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        // The same phone or email twice within one dealer is refused, even when two requests race.
        for (name, columns) in [
            ("customers_dealer_phone", ["dealer_id", "phone_normalized"]),
            ("customers_dealer_email", ["dealer_id", "email_normalized"]),
        ] {
            index(manager, S, "customers", name, &columns, true).await?;
        }
        index(
            manager,
            S,
            "customers",
            "customers_dealer_created",
            &["dealer_id", "created_at"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "customers",
            "customers_owner",
            &["owner_id", "created_at"],
            false,
        )
        .await?;
        search_indexes(manager).await?;
        // A salesperson's name search (only their customers): without the owner in the key,
        // counting a common surname read every matching row of the dealer.
        index(
            manager,
            S,
            "customers",
            "customers_owner_name",
            &["dealer_id", "owner_id", "search_name"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(table(S, "leads"))
                    .col(id())
                    .col(uuid("dealer_id"))
                    .col(uuid("customer_id"))
                    .col(string("source", 16))
                    .col(uuid("owner_id"))
                    .col(string("stage", 16))
                    .col(uuid_null("variant_id"))
                    .col(text_null("notes"))
                    .col(text_null("lost_reason"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "leads",
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
            "leads",
            "leads_customer",
            &["customer_id"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "leads",
            "leads_dealer_stage",
            &["dealer_id", "stage", "created_at"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "lead_stage_history"))
                    .col(id())
                    .col(uuid("lead_id"))
                    .col(string_null("from_stage", 16))
                    .col(string("to_stage", 16))
                    .col(text_null("reason"))
                    .col(uuid_null("changed_by"))
                    .col(timestamp("changed_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "lead_stage_history",
                        "lead_id",
                        "leads",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "lead_stage_history",
            "lead_stage_history_lead",
            &["lead_id", "changed_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["lead_stage_history", "leads", "customers"]).await
    }
}

/// Prefix search by name, phone or email: the search keys compare byte-wise on both backends
/// (SQLite's BINARY, Postgres `COLLATE "C"`), so a prefix is a plain index range that works with
/// bound parameters and generic plans, and the same index orders results by name.
async fn search_indexes(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let columns = [
        ("customers_search_name", "search_name", 160),
        ("customers_search_phone", "phone_normalized", 20),
        ("customers_search_email", "email_normalized", 254),
    ];
    for (name, column, len) in columns {
        if manager.get_database_backend() == DbBackend::Postgres {
            let sql = format!(
                "ALTER TABLE \"{S}\".\"customers\" ALTER COLUMN \"{column}\" TYPE varchar({len}) COLLATE \"C\""
            );
            manager.get_connection().execute_unprepared(&sql).await?;
        }
        index(manager, S, "customers", name, &["dealer_id", column], false).await?;
    }
    Ok(())
}
