//! The first notification log (`notifications`, sent-only rows written by the log provider) is
//! replaced by the delivery ledger.

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "notification";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["notifications"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::m20261125_000002_notifications::Migration
            .up(manager)
            .await
    }
}
