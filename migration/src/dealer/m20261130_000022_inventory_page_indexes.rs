use crate::helpers::*;
use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

const S: &str = "dealer";

/// Inventory pages filtered by status and ordered by arrival (aging) or creation, found by
/// `bench/dealer.sh`: without these Postgres sorted every matching unit for each page.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, order_key) in [
            ("inventory_units_status_received", "received_at"),
            ("inventory_units_status_created", "created_at"),
        ] {
            index(
                manager,
                S,
                "inventory_units",
                name,
                &["dealer_id", "status", order_key, "vin"],
                false,
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "inventory_units_status_received",
            "inventory_units_status_created",
        ] {
            // Both backends take a schema-qualified index name here.
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX \"{S}\".\"{name}\""))
                .await?;
        }
        Ok(())
    }
}
