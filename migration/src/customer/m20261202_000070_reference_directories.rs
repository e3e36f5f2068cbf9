//! What the customer module knows of other modules' aggregates, to check the references a write
//! names against the caller's dealer: the dealers' vehicles by VIN (from the manufacturer's
//! allocation, shipping and receipt events and the dealer's deliveries), the users of each
//! dealer (from the auth events) and the dealers themselves (from `dealer.dealer_changed.v1`).

use crate::helpers::*;
use sea_orm_migration::prelude::*;

const S: &str = "customer";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_vehicles"))
                    .col(string("vin", 17).primary_key())
                    .col(uuid("dealer_id"))
                    .col(uuid_null("branch_id"))
                    .col(uuid("variant_id"))
                    // allocated (on its way) | on_site | handed_over (delivered to a customer)
                    .col(string("status", 16))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "dealer_users"))
                    .col(
                        ColumnDef::new(Alias::new("user_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(uuid_null("dealer_id"))
                    .col(string("role", 32))
                    .col(boolean("active", true))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(table(S, "known_dealers"))
                    .col(
                        ColumnDef::new(Alias::new("dealer_id"))
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(string("status", 16))
                    .col(timestamp("updated_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            S,
            &["known_dealers", "dealer_users", "dealer_vehicles"],
        )
        .await
    }
}
