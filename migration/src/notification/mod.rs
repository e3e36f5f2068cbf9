//! Migrations of the `notification` schema, oldest first.

pub mod m20261125_000002_notifications;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261125_000002_notifications::Migration)]
}
