//! Migrations of the `dealer` schema, oldest first.

pub mod m20261125_000020_dealers_and_stock;
pub mod m20261125_000021_sales;
pub mod m20261130_000022_inventory_page_indexes;
pub mod m20261202_000063_dealer_time_zone;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000020_dealers_and_stock::Migration),
        Box::new(m20261125_000021_sales::Migration),
        Box::new(m20261130_000022_inventory_page_indexes::Migration),
        Box::new(m20261202_000063_dealer_time_zone::Migration),
    ]
}
