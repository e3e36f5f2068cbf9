use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "dealer";

fn date(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .date()
        .not_null()
        .to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let create = |t: TableCreateStatement| async move { manager.create_table(t).await };
        create(
            Table::create()
                .table(table(S, "dealers"))
                .col(id())
                .col(string("code", 16))
                .col(string("name", 160))
                .col(string("region", 80))
                .col(string("city", 80))
                .col(string("tax_number", 32))
                .col(string("status", 16))
                .col(integer("tax_rate_bp", 1000))
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .col(integer("version", 1))
                .to_owned(),
        )
        .await?;
        index(manager, S, "dealers", "dealers_code", &["code"], true).await?;
        create(
            Table::create()
                .table(table(S, "branches"))
                .col(id())
                .col(uuid("dealer_id"))
                .col(string("name", 120))
                .col(string("city", 80))
                .col(string("address", 240))
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    manager,
                    S,
                    "branches",
                    "dealer_id",
                    "dealers",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            manager,
            S,
            "branches",
            "branches_dealer_name",
            &["dealer_id", "name"],
            true,
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "staff"))
                .col(
                    ColumnDef::new(Alias::new("user_id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(uuid("dealer_id"))
                .col(uuid_null("branch_id"))
                .col(string("name", 200))
                .col(string("email", 320))
                .col(string("role", 32))
                .col(boolean("active", true))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        index(manager, S, "staff", "staff_dealer", &["dealer_id"], false).await?;
        create(
            Table::create()
                .table(table(S, "catalog_variants"))
                .col(
                    ColumnDef::new(Alias::new("variant_id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(uuid("model_id"))
                .col(string("model_name", 120))
                .col(string("variant_name", 120))
                .col(string("segment", 40))
                .col(string("status", 16))
                .col(string("model_status", 16))
                .col(money("msrp"))
                .col(json("colours"))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "oem_promotions"))
                .col(
                    ColumnDef::new(Alias::new("promotion_id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(string("name", 120))
                .col(string("applies_to", 16))
                .col(string("kind", 8))
                .col(ColumnDef::new(Alias::new("value")).big_integer().not_null())
                .col(timestamp("starts_at"))
                .col(timestamp("ends_at"))
                .col(json("variant_ids"))
                .col(json("dealer_ids"))
                .col(boolean("stackable", false))
                .col(boolean("active", true))
                .to_owned(),
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "known_customers"))
                .col(
                    ColumnDef::new(Alias::new("customer_id"))
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(uuid("dealer_id"))
                .to_owned(),
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "inventory_units"))
                .col(
                    ColumnDef::new(Alias::new("vin"))
                        .string_len(17)
                        .not_null()
                        .primary_key(),
                )
                .col(uuid("dealer_id"))
                .col(uuid_null("branch_id"))
                .col(uuid("variant_id"))
                .col(uuid("colour_id"))
                .col(string("status", 16))
                .col(money("cost"))
                .col(uuid_null("dealer_order_id"))
                .col(uuid_null("sales_order_id"))
                .col(timestamp_null("received_at"))
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            manager,
            S,
            "inventory_units",
            "inventory_units_stock",
            &["dealer_id", "status", "variant_id", "colour_id"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "inventory_units",
            "inventory_units_dealer_created",
            &["dealer_id", "created_at", "vin"],
            false,
        )
        .await?;
        // One unit per sales order, even if two reservations race.
        index(
            manager,
            S,
            "inventory_units",
            "inventory_units_sales_order",
            &["sales_order_id"],
            true,
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "dealer_promotions"))
                .col(id())
                .col(uuid("dealer_id"))
                .col(string("name", 120))
                .col(string("kind", 8))
                .col(ColumnDef::new(Alias::new("value")).big_integer().not_null())
                .col(timestamp("starts_at"))
                .col(timestamp("ends_at"))
                .col(json("variant_ids"))
                .col(boolean("active", true))
                .col(timestamp("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            manager,
            S,
            "dealer_promotions",
            "dealer_promotions_dealer",
            &["dealer_id", "ends_at"],
            false,
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "sales_targets"))
                .col(id())
                .col(uuid("dealer_id"))
                .col(string("period", 7))
                .col(integer("target_units", 0))
                .col(money("target_revenue"))
                .to_owned(),
        )
        .await?;
        index(
            manager,
            S,
            "sales_targets",
            "sales_targets_period",
            &["dealer_id", "period"],
            true,
        )
        .await?;
        create(
            Table::create()
                .table(table(S, "quotations"))
                .col(id())
                .col(string("number", 32))
                .col(uuid("dealer_id"))
                .col(uuid_null("branch_id"))
                .col(uuid("customer_id"))
                .col(uuid("staff_id"))
                .col(uuid("variant_id"))
                .col(uuid("colour_id"))
                .col(json("options"))
                .col(json("breakdown"))
                .col(money("total"))
                .col(integer("manual_discount_bp", 0))
                .col(string("status", 16))
                .col(date("valid_until"))
                .col(uuid_null("sales_order_id"))
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .col(integer("version", 1))
                .to_owned(),
        )
        .await?;
        index(
            manager,
            S,
            "quotations",
            "quotations_number",
            &["number"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "quotations",
            "quotations_dealer",
            &["dealer_id", "created_at"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "quotations",
                "sales_targets",
                "dealer_promotions",
                "inventory_units",
                "known_customers",
                "oem_promotions",
                "catalog_variants",
                "staff",
                "branches",
                "dealers",
            ],
        )
        .await
    }
}
