use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "manufacturer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_contracts"))
                    .col(id())
                    .col(string("number", 32))
                    .col(uuid("dealer_id"))
                    .col(ColumnDef::new(Alias::new("starts_on")).date().not_null())
                    .col(ColumnDef::new(Alias::new("ends_on")).date().not_null())
                    .col(integer("sales_target_units", 0))
                    .col(money("credit_limit"))
                    .col(integer("wholesale_discount_bp", 0))
                    .col(integer("payment_terms_days", 30))
                    .col(string("status", 16))
                    .col(timestamp("created_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "dealer_contracts",
            "dealer_contracts_number",
            &["number"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "dealer_contracts",
            "dealer_contracts_dealer",
            &["dealer_id", "starts_on"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_orders"))
                    .col(id())
                    .col(string("number", 32))
                    .col(uuid("dealer_id"))
                    .col(string("status", 16))
                    .col(uuid("placed_by"))
                    .col(money("total"))
                    .col(text_null("note"))
                    .col(text_null("status_reason"))
                    .col(uuid_null("invoice_id"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "dealer_orders",
            "dealer_orders_number",
            &["number"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "dealer_orders",
            "dealer_orders_dealer",
            &["dealer_id", "created_at"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_order_lines"))
                    .col(id())
                    .col(uuid("order_id"))
                    .col(uuid("variant_id"))
                    .col(uuid("colour_id"))
                    .col(integer("quantity", 1))
                    .col(money("unit_price"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "dealer_order_lines",
                        "order_id",
                        "dealer_orders",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "dealer_order_lines",
            "dealer_order_lines_item",
            &["order_id", "variant_id", "colour_id"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "oem_stock"))
                    .col(
                        ColumnDef::new(Alias::new("vin"))
                            .string_len(17)
                            .not_null()
                            .primary_key(),
                    )
                    .col(uuid("variant_id"))
                    .col(uuid("colour_id"))
                    .col(string("status", 16))
                    .col(uuid_null("order_id"))
                    .col(string("location", 80))
                    .col(money("unit_price"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "oem_stock",
            "oem_stock_level",
            &["variant_id", "colour_id", "status"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "oem_stock",
            "oem_stock_order",
            &["order_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "stock_ledger"))
                    .col(id())
                    .col(string("vin", 17))
                    .col(string("movement", 16))
                    .col(string_null("from_status", 16))
                    .col(string("to_status", 16))
                    .col(uuid_null("order_id"))
                    .col(uuid_null("actor_id"))
                    .col(timestamp("at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "stock_ledger",
            "stock_ledger_vin",
            &["vin", "at"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "stock_thresholds"))
                    .col(uuid("variant_id"))
                    .col(uuid("colour_id"))
                    .col(integer("threshold", 0))
                    // Whether the level is at or below the threshold now: one event per crossing.
                    .col(boolean("low", false))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("variant_id"))
                            .col(Alias::new("colour_id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_invoices"))
                    .col(id())
                    .col(string("number", 32))
                    .col(uuid("dealer_id"))
                    .col(uuid("order_id"))
                    .col(money("amount"))
                    .col(money("paid"))
                    .col(string("status", 16))
                    .col(ColumnDef::new(Alias::new("due_date")).date().not_null())
                    .col(timestamp_null("overdue_notified_at"))
                    .col(timestamp("issued_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "dealer_invoices",
            "dealer_invoices_number",
            &["number"],
            true,
        )
        .await?;
        // One invoice per shipped order, even if two ship requests race.
        index(
            manager,
            S,
            "dealer_invoices",
            "dealer_invoices_order",
            &["order_id"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "dealer_invoices",
            "dealer_invoices_dealer",
            &["dealer_id", "status", "due_date"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_payments"))
                    .col(id())
                    .col(uuid("invoice_id"))
                    .col(uuid("dealer_id"))
                    .col(money("amount"))
                    .col(string("method", 16))
                    .col(string("reference", 80))
                    .col(string("status", 16))
                    .col(uuid("recorded_by"))
                    .col(uuid_null("confirmed_by"))
                    .col(timestamp("received_at"))
                    .col(timestamp_null("confirmed_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "dealer_payments",
                        "invoice_id",
                        "dealer_invoices",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "dealer_payments",
            "dealer_payments_invoice",
            &["invoice_id"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "dealer_payments",
            "dealer_payments_dealer",
            &["dealer_id", "received_at"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "dealer_payments",
                "dealer_invoices",
                "stock_thresholds",
                "stock_ledger",
                "oem_stock",
                "dealer_order_lines",
                "dealer_orders",
                "dealer_contracts",
            ],
        )
        .await
    }
}
