use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "dealer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "sales_orders"))
                    .col(id())
                    .col(string("number", 32))
                    .col(uuid("dealer_id"))
                    .col(uuid_null("branch_id"))
                    .col(uuid("customer_id"))
                    .col(uuid("staff_id"))
                    .col(uuid_null("quotation_id"))
                    .col(uuid("variant_id"))
                    .col(uuid("colour_id"))
                    .col(string_null("vin", 17))
                    .col(ColumnDef::new(Alias::new("breakdown")).json().not_null())
                    .col(money("total"))
                    .col(money("interest"))
                    .col(money("payable"))
                    .col(money("paid_total"))
                    .col(integer("manual_discount_bp", 0))
                    .col(boolean("needs_approval", false))
                    .col(uuid_null("approved_by"))
                    .col(string("payment_plan", 16))
                    .col(string("status", 24))
                    .col(text_null("status_reason"))
                    .col(timestamp_null("delivery_scheduled_at"))
                    .col(timestamp_null("delivered_at"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "sales_orders",
            "sales_orders_number",
            &["number"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "sales_orders",
            "sales_orders_dealer",
            &["dealer_id", "created_at"],
            false,
        )
        .await?;
        // A quotation converts into one order only, even when two conversions race.
        index(
            manager,
            S,
            "sales_orders",
            "sales_orders_quotation",
            &["quotation_id"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "contracts"))
                    .col(id())
                    .col(string("number", 32))
                    .col(uuid("order_id"))
                    .col(string("status", 16))
                    .col(text_null("terms"))
                    .col(timestamp_null("signed_at"))
                    .col(timestamp("created_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "contracts",
                        "order_id",
                        "sales_orders",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "contracts",
            "contracts_order",
            &["order_id"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "instalments"))
                    .col(id())
                    .col(uuid("order_id"))
                    .col(integer("number", 0))
                    .col(ColumnDef::new(Alias::new("due_date")).date().not_null())
                    .col(money("amount"))
                    .col(money("paid"))
                    .col(timestamp_null("overdue_notified_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "instalments",
                        "order_id",
                        "sales_orders",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "instalments",
            "instalments_order_number",
            &["order_id", "number"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "customer_payments"))
                    .col(id())
                    .col(uuid("order_id"))
                    .col(uuid("dealer_id"))
                    .col(money("amount"))
                    .col(string("method", 16))
                    .col(string("reference", 80))
                    .col(uuid("recorded_by"))
                    .col(timestamp("received_at"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "customer_payments",
                        "order_id",
                        "sales_orders",
                        ForeignKeyAction::Restrict,
                    ))
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
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "customer_payments",
                "instalments",
                "contracts",
                "sales_orders",
            ],
        )
        .await
    }
}
