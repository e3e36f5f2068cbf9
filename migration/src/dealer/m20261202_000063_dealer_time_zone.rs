//! A dealer's IANA time zone (its local time, e.g. for SMS quiet hours); none = the default.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

const S: &str = "dealer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Both backends take a schema-qualified table in ALTER TABLE.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE \"{S}\".\"dealers\" ADD COLUMN \"time_zone\" VARCHAR(64)"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE \"{S}\".\"dealers\" DROP COLUMN \"time_zone\""
            ))
            .await
            .map(|_| ())
    }
}
