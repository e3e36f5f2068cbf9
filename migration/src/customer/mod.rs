//! Migrations of the `customer` schema, oldest first.

pub mod m20261130_000030_customers;
pub mod m20261130_000031_test_drives_and_feedback;
pub mod m20261202_000070_reference_directories;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261130_000030_customers::Migration),
        Box::new(m20261130_000031_test_drives_and_feedback::Migration),
        Box::new(m20261202_000070_reference_directories::Migration),
    ]
}
