//! Migrations of the `auth` schema, oldest first.

pub mod m20261125_000002_auth_tables;
pub mod m20261202_000071_revocations;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000002_auth_tables::Migration),
        Box::new(m20261202_000071_revocations::Migration),
    ]
}
