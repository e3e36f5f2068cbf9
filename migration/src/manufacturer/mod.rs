//! Migrations of the `manufacturer` schema, oldest first.

pub mod m20261125_000010_catalog;
pub mod m20261125_000011_stock_and_orders;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000010_catalog::Migration),
        Box::new(m20261125_000011_stock_and_orders::Migration),
    ]
}
