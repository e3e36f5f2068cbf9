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
                    .table(table(S, "manufacturers"))
                    .col(id())
                    .col(string("name", 120))
                    .col(string("country", 80))
                    .col(timestamp("created_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "manufacturers",
            "manufacturers_name",
            &["name"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "vehicle_models"))
                    .col(id())
                    .col(uuid("manufacturer_id"))
                    .col(string("name", 120))
                    .col(string("segment", 40))
                    .col(integer("model_year", 2026))
                    .col(string("status", 16))
                    .col(text_null("description"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "vehicle_models",
                        "manufacturer_id",
                        "manufacturers",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "vehicle_models",
            "vehicle_models_name",
            &["manufacturer_id", "name", "model_year"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "variants"))
                    .col(id())
                    .col(uuid("model_id"))
                    .col(string("name", 120))
                    .col(string("status", 16))
                    // Copied from the model so a catalog page filters and sorts on one table.
                    .col(string("model_status", 16))
                    .col(string("segment", 40))
                    .col(
                        ColumnDef::new(Alias::new("battery_kwh"))
                            .double()
                            .not_null(),
                    )
                    .col(integer("range_km", 0))
                    .col(integer("motor_kw", 0))
                    .col(
                        ColumnDef::new(Alias::new("zero_to_100_s"))
                            .double()
                            .not_null(),
                    )
                    .col(integer("seats", 5))
                    .col(string("drive", 8))
                    .col(integer("charging_kw", 0))
                    .col(ColumnDef::new(Alias::new("specs")).json().not_null())
                    .col(money("msrp"))
                    .col(money("wholesale_price"))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "variants",
                        "model_id",
                        "vehicle_models",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "variants",
            "variants_model_name",
            &["model_id", "name"],
            true,
        )
        .await?;
        index(
            manager,
            S,
            "variants",
            "variants_visible_msrp",
            &["model_status", "msrp"],
            false,
        )
        .await?;
        index(
            manager,
            S,
            "variants",
            "variants_visible_range",
            &["model_status", "range_km"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "colours"))
                    .col(id())
                    .col(uuid("model_id"))
                    .col(string("name", 60))
                    .col(string("hex", 7))
                    .col(money("surcharge"))
                    .col(boolean("available", true))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "colours",
                        "model_id",
                        "vehicle_models",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "colours",
            "colours_model_name",
            &["model_id", "name"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "price_history"))
                    .col(id())
                    .col(uuid("variant_id"))
                    .col(money("msrp"))
                    .col(money("wholesale_price"))
                    .col(uuid_null("changed_by"))
                    .col(timestamp("effective_from"))
                    .foreign_key(&mut foreign_key(
                        manager,
                        S,
                        "price_history",
                        "variant_id",
                        "variants",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "price_history",
            "price_history_variant",
            &["variant_id", "effective_from"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "promotions"))
                    .col(id())
                    .col(string("name", 120))
                    .col(string("applies_to", 16))
                    .col(string("kind", 8))
                    .col(ColumnDef::new(Alias::new("value")).big_integer().not_null())
                    .col(timestamp("starts_at"))
                    .col(timestamp("ends_at"))
                    .col(ColumnDef::new(Alias::new("variant_ids")).json().not_null())
                    .col(ColumnDef::new(Alias::new("dealer_ids")).json().not_null())
                    .col(boolean("stackable", false))
                    .col(boolean("active", true))
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .col(integer("version", 1))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            S,
            "promotions",
            "promotions_window",
            &["active", "ends_at"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &[
                "promotions",
                "price_history",
                "colours",
                "variants",
                "vehicle_models",
                "manufacturers",
            ],
        )
        .await
    }
}
