//! Live push: a stream resuming after `Last-Event-ID` reads one user's inbox items after an id
//! (UUID v7, so in creation order).

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "notification";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        index(
            manager,
            S,
            "inbox_items",
            "inbox_items_user_id",
            &["user_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Both backends name an index by its schema here.
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX \"{S}\".\"inbox_items_user_id\""))
            .await
            .map(|_| ())
    }
}
