//! Migrations of the `report` schema, oldest first.

pub mod m20261201_000050_read_models;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261201_000050_read_models::Migration)]
}
