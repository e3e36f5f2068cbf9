//! One migrator per module schema. Each keeps its history in `"<schema>"."seaql_migrations"`
//! (see `kernel::migrate`), so a split service migrates only the schema it owns.
//!
//! Conventions: one migration per file, named `m<date>_<seq>_<what>.rs`; tables are created
//! schema-qualified; SQLite index names are schema-qualified instead of their tables
//! (see `kernel::migrate::EventTables`).

pub use kernel::migrate::SchemaMigrations;

// Used by whichever module features are enabled.
#[allow(dead_code)]
mod helpers;
#[cfg(feature = "auth")]
mod auth_migrations {
    pub use crate::auth_files::*;
}
#[cfg(feature = "auth")]
#[path = "auth/mod.rs"]
mod auth_files;
#[cfg(feature = "notification")]
#[path = "notification/mod.rs"]
mod notification_migrations;
pub use sea_orm_migration::{MigrationTrait, MigratorTrait};

macro_rules! schema_migrator {
    ($feature:literal, $module:ident, $schema:expr, [$($migration:expr),* $(,)?]) => {
        #[cfg(feature = $feature)]
        pub mod $module {
            use super::*;

            /// Migrations of this module's schema, oldest first.
            pub struct Migrator;

            impl MigratorTrait for Migrator {
                fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                    vec![
                        Box::new(kernel::migrate::EventTables { schema: $schema }),
                        Box::new(kernel::migrate::IdempotencyKeys { schema: $schema }),
                        Box::new(kernel::migrate::OutboxClaimIndex { schema: $schema }),
                        $(Box::new($migration)),*
                    ]
                }
            }

            pub const MIGRATIONS: SchemaMigrations =
                SchemaMigrations { schema: $schema, migrations: <Migrator as MigratorTrait>::migrations };
        }
    };
}

schema_migrator!(
    "auth",
    auth,
    "auth",
    [auth_migrations::m20261125_000002_auth_tables::Migration]
);
schema_migrator!("dealer", dealer, "dealer", []);
schema_migrator!("customer", customer, "customer", []);
schema_migrator!("manufacturer", manufacturer, "manufacturer", []);
schema_migrator!("report", report, "report", []);
schema_migrator!(
    "notification",
    notification,
    "notification",
    [notification_migrations::m20261125_000002_notifications::Migration]
);
