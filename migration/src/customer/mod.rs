//! Migrations of the `customer` schema, oldest first.

pub mod m20261130_000030_customers;
pub mod m20261130_000031_test_drives_and_feedback;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261130_000030_customers::Migration),
        Box::new(m20261130_000031_test_drives_and_feedback::Migration),
    ]
}
