//! Migrations of the `auth` schema, oldest first.

pub mod m20261125_000002_auth_tables;
pub mod m20261202_000070_refresh_successor;
pub mod m20261202_000071_auth_known_branches;
pub mod m20261202_000072_revocations;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000002_auth_tables::Migration),
        Box::new(m20261202_000070_refresh_successor::Migration),
        Box::new(m20261202_000071_auth_known_branches::Migration),
        Box::new(m20261202_000072_revocations::Migration),
    ]
}
