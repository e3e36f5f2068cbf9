//! A rotated refresh token keeps its successor sealed for the reuse grace window, so a second
//! client presenting it at the same moment gets the same new pair (see auth `app::sessions`).

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

const S: &str = "auth";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Both backends take a schema-qualified table in ALTER TABLE.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE \"{S}\".\"refresh_tokens\" ADD COLUMN \"successor_sealed\" TEXT"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE \"{S}\".\"refresh_tokens\" DROP COLUMN \"successor_sealed\""
            ))
            .await
            .map(|_| ())
    }
}
