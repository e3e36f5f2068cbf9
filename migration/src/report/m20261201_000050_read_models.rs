//! The report read models: facts and state fed by events, the directories that label them, and
//! the queue between the event handlers and the store (so a MongoDB store is never written while
//! the inbox transaction is open).

use crate::helpers::*;
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

const S: &str = "report";

#[derive(DeriveMigrationName)]
pub struct Migration;

fn date(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .date()
        .not_null()
        .to_owned()
}

fn date_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).date().null().to_owned()
}

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

/// Money columns of a sales rollup.
fn sales_measures(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(big("units"))
        .col(money("revenue"))
        .col(money("discount"))
        .col(money("cost"))
        .col(money("margin"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        // Facts waiting for the store, oldest first.
        let queue = if manager.get_database_backend() == DbBackend::Sqlite {
            "CREATE TABLE \"report\".\"fact_queue\" (seq INTEGER PRIMARY KEY AUTOINCREMENT, fact TEXT NOT NULL, queued_at TEXT NOT NULL)"
        } else {
            "CREATE TABLE \"report\".\"fact_queue\" (seq BIGSERIAL PRIMARY KEY, fact JSONB NOT NULL, queued_at TIMESTAMPTZ NOT NULL)"
        };
        conn.execute_unprepared(queue).await?;

        // Directories that label the figures.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealers"))
                    .col(uuid("dealer_id").primary_key())
                    .col(string("code", 32))
                    .col(string("name", 160))
                    .col(string("region", 80))
                    .col(string("status", 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "branches"))
                    .col(uuid("branch_id").primary_key())
                    .col(uuid("dealer_id"))
                    .col(string("name", 160))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "staff"))
                    .col(uuid("user_id").primary_key())
                    .col(uuid("dealer_id"))
                    .col(string("name", 160))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "variants"))
                    .col(uuid("variant_id").primary_key())
                    .col(uuid("model_id"))
                    .col(string("model_name", 160))
                    .col(string("variant_name", 160))
                    .col(money("wholesale_price"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "promotions"))
                    .col(uuid("promotion_id").primary_key())
                    .col(string("name", 160))
                    .col(string("source", 16))
                    .to_owned(),
            )
            .await?;

        // One row per delivered sale.
        let mut sales = Table::create();
        sales
            .table(table(S, "sales"))
            .col(uuid("order_id").primary_key())
            .col(date("day"))
            .col(uuid("dealer_id"))
            .col(string("region", 80))
            .col(uuid("branch_id"))
            .col(uuid("staff_id"))
            .col(uuid("customer_id"))
            .col(uuid("variant_id"))
            .col(uuid("model_id"));
        sales_measures(&mut sales)
            .col(money("list_price"))
            .col(money("tax"))
            .col(integer("days_in_stock", -1))
            .col(boolean("seeded", false));
        manager.create_table(sales.to_owned()).await?;
        index(
            manager,
            S,
            "sales",
            "sales_dealer_day",
            &["dealer_id", "day"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "sales",
            "sales_staff_day",
            &["staff_id", "day"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "sales",
            "sales_customer",
            &["customer_id", "day"],
            false,
        )
        .await?;
        index(manager, S, "sales", "sales_day", &["day"], false).await?;

        // Pre-aggregated sales per period (grain d|w|m): by product and by seller.
        let mut by_product = Table::create();
        by_product
            .table(table(S, "sales_by_product"))
            .col(string("grain", 1))
            .col(date("period"))
            .col(uuid("dealer_id"))
            .col(string("region", 80))
            .col(uuid("variant_id"))
            .col(uuid("model_id"))
            // Days in stock of the units sold (where known), for inventory speed from the rollup.
            .col(big("stock_days"))
            .col(big("stock_days_n"));
        sales_measures(&mut by_product).primary_key(
            Index::create()
                .col(Alias::new("grain"))
                .col(Alias::new("period"))
                .col(Alias::new("dealer_id"))
                .col(Alias::new("variant_id")),
        );
        manager.create_table(by_product.to_owned()).await?;
        index(
            manager,
            S,
            "sales_by_product",
            "sales_by_product_dealer",
            &["grain", "dealer_id", "period"],
            false,
        )
        .await?;
        let mut by_seller = Table::create();
        by_seller
            .table(table(S, "sales_by_seller"))
            .col(string("grain", 1))
            .col(date("period"))
            .col(uuid("dealer_id"))
            .col(string("region", 80))
            .col(uuid("branch_id"))
            .col(uuid("staff_id"));
        sales_measures(&mut by_seller).primary_key(
            Index::create()
                .col(Alias::new("grain"))
                .col(Alias::new("period"))
                .col(Alias::new("dealer_id"))
                .col(Alias::new("branch_id"))
                .col(Alias::new("staff_id")),
        );
        manager.create_table(by_seller.to_owned()).await?;
        index(
            manager,
            S,
            "sales_by_seller",
            "sales_by_seller_staff",
            &["grain", "staff_id", "period"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "sale_promotions"))
                    .col(uuid("order_id"))
                    .col(uuid("promotion_id"))
                    .col(uuid("dealer_id"))
                    .col(uuid("staff_id"))
                    .col(date("day"))
                    .col(money("amount"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("order_id"))
                            .col(Alias::new("promotion_id")),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "sale_promotions",
            "sale_promotions_dealer_day",
            &["dealer_id", "day"],
            false,
        )
        .await?;

        // The order pipeline, retail (`retail`) and dealer-to-OEM (`oem`).
        manager
            .create_table(
                Table::create()
                    .table(table(S, "orders"))
                    .col(uuid("order_id").primary_key())
                    .col(string("kind", 8))
                    .col(uuid("dealer_id"))
                    .col(uuid_null("staff_id"))
                    .col(uuid_null("customer_id"))
                    .col(money("total"))
                    .col(money("payable"))
                    .col(money("paid"))
                    .col(date_null("created_on"))
                    .col(date_null("approved_on"))
                    .col(date_null("cancelled_on"))
                    .col(date_null("delivered_on"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "orders",
            "orders_dealer",
            &["dealer_id", "kind"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "instalments"))
                    .col(uuid("order_id"))
                    .col(integer("number", 1))
                    .col(date("due_date"))
                    .col(money("amount"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("order_id"))
                            .col(Alias::new("number")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "customer_payments"))
                    .col(uuid("payment_id").primary_key())
                    .col(uuid("order_id"))
                    .col(uuid("dealer_id"))
                    .col(money("amount"))
                    .col(timestamp("received_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "customer_payments",
            "customer_payments_order",
            &["order_id"],
            false,
        )
        .await?;

        // Units by VIN, dealer side and OEM side; the status follows from which times are set.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "units"))
                    .col(string("vin", 17).primary_key())
                    .col(uuid_null("dealer_id"))
                    .col(uuid("variant_id"))
                    .col(money("cost"))
                    .col(timestamp_null("allocated_at"))
                    .col(timestamp_null("shipped_at"))
                    .col(timestamp_null("received_at"))
                    .col(timestamp_null("reserved_at"))
                    .col(timestamp_null("sold_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "units",
            "units_dealer_variant",
            &["dealer_id", "variant_id"],
            false,
        )
        .await?;

        // The lead funnel.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "leads"))
                    .col(uuid("lead_id").primary_key())
                    .col(uuid("dealer_id"))
                    .col(uuid("owner_id"))
                    .col(uuid("customer_id"))
                    .col(string("source", 16))
                    .col(date("created_on"))
                    .col(string("stage", 16))
                    // Furthest stage reached (rank: new 0 … won 5), kept when the lead is lost.
                    .col(integer("furthest_rank", 0))
                    .col(date_null("won_on"))
                    .col(date_null("lost_on"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "leads",
            "leads_dealer_created",
            &["dealer_id", "created_on"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "test_drives"))
                    .col(uuid("test_drive_id").primary_key())
                    .col(uuid("dealer_id"))
                    .col(uuid("customer_id"))
                    .col(uuid("variant_id"))
                    .col(date("scheduled_on"))
                    .col(date_null("completed_on"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "test_drives",
            "test_drives_dealer",
            &["dealer_id", "scheduled_on"],
            false,
        )
        .await?;

        // Dealer debt to the OEM.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_invoices"))
                    .col(uuid("invoice_id").primary_key())
                    .col(uuid("dealer_id"))
                    .col(string("number", 40))
                    .col(money("amount"))
                    .col(date("due_date"))
                    .col(date("issued_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_payments"))
                    .col(uuid("payment_id").primary_key())
                    .col(uuid("invoice_id"))
                    .col(uuid("dealer_id"))
                    .col(money("amount"))
                    .col(timestamp("paid_at"))
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

        manager
            .create_table(
                Table::create()
                    .table(table(S, "targets"))
                    .col(uuid("dealer_id"))
                    .col(string("period", 7))
                    .col(integer("target_units", 0))
                    .col(money("target_revenue"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("dealer_id"))
                            .col(Alias::new("period")),
                    )
                    .to_owned(),
            )
            .await?;

        // Demand forecast runs and their series.
        manager
            .create_table(
                Table::create()
                    .table(table(S, "forecast_runs"))
                    .col(id())
                    .col(string("status", 16))
                    .col(string("trigger", 16))
                    .col(integer("horizon", 12))
                    .col(integer("series_count", 0))
                    .col(big("duration_ms"))
                    .col(json("summary"))
                    .col(timestamp("started_at"))
                    .col(timestamp_null("finished_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "forecast_series"))
                    .col(id())
                    .col(uuid("run_id"))
                    .col(uuid_null("dealer_id"))
                    .col(uuid("variant_id"))
                    .col(integer("history_weeks", 0))
                    .col(string("model", 32))
                    .col(json("result"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "forecast_series",
                        "run_id",
                        "forecast_runs",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "forecast_series",
            "forecast_series_run",
            &["run_id", "variant_id"],
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
                "forecast_series",
                "forecast_runs",
                "targets",
                "dealer_payments",
                "dealer_invoices",
                "test_drives",
                "leads",
                "units",
                "customer_payments",
                "instalments",
                "orders",
                "sale_promotions",
                "sales_by_seller",
                "sales_by_product",
                "sales",
                "promotions",
                "variants",
                "staff",
                "branches",
                "dealers",
                "fact_queue",
            ],
        )
        .await
    }
}
