//! The dealer branches the auth module knows (from `dealer.branch_opened.v1`), so a user's
//! `branchId` is checked against its dealer without reading the dealer schema.

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "auth";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "known_branches"))
                    .col(
                        ColumnDef::new(Alias::new("branch_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(uuid("dealer_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, S, &["known_branches"]).await
    }
}
