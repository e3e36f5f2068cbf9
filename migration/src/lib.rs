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

// Each module's folder lists its own migrations in `migrations()`, so adding one touches only
// that folder.
#[cfg(feature = "auth")]
#[path = "auth/mod.rs"]
mod auth_files;
#[cfg(feature = "customer")]
#[path = "customer/mod.rs"]
mod customer_files;
#[cfg(feature = "dealer")]
#[path = "dealer/mod.rs"]
mod dealer_files;
#[cfg(feature = "manufacturer")]
#[path = "manufacturer/mod.rs"]
mod manufacturer_files;
#[cfg(feature = "notification")]
#[path = "notification/mod.rs"]
mod notification_files;
#[cfg(feature = "report")]
#[path = "report/mod.rs"]
mod report_files;
pub use sea_orm_migration::{MigrationTrait, MigratorTrait};

macro_rules! schema_migrator {
    ($feature:literal, $module:ident, $schema:expr, $files:ident) => {
        #[cfg(feature = $feature)]
        pub mod $module {
            use super::*;

            /// Migrations of this module's schema, oldest first.
            pub struct Migrator;

            impl MigratorTrait for Migrator {
                fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                    let mut all: Vec<Box<dyn MigrationTrait>> = vec![
                        Box::new(kernel::migrate::EventTables { schema: $schema }),
                        Box::new(kernel::migrate::IdempotencyKeys { schema: $schema }),
                        Box::new(kernel::migrate::OutboxClaimIndex { schema: $schema }),
                    ];
                    all.extend($files::migrations());
                    all
                }
            }

            pub const MIGRATIONS: SchemaMigrations = SchemaMigrations {
                schema: $schema,
                migrations: <Migrator as MigratorTrait>::migrations,
            };
        }
    };
}

schema_migrator!("auth", auth, "auth", auth_files);
schema_migrator!("dealer", dealer, "dealer", dealer_files);
schema_migrator!("customer", customer, "customer", customer_files);
schema_migrator!(
    "manufacturer",
    manufacturer,
    "manufacturer",
    manufacturer_files
);
schema_migrator!("report", report, "report", report_files);
schema_migrator!(
    "notification",
    notification,
    "notification",
    notification_files
);
