//! Migrations of the `customer` schema, oldest first.

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![]
}
