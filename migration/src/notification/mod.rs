//! Migrations of the `notification` schema, oldest first.

pub mod m20261125_000002_notifications;
pub mod m20261201_000040_delivery_ledger;
pub mod m20261201_000041_drop_notification_log;
pub mod m20261202_000060_preferences;
pub mod m20261202_000061_reminders;
pub mod m20261202_000062_live_push;

use sea_orm_migration::MigrationTrait;

pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000002_notifications::Migration),
        Box::new(m20261201_000040_delivery_ledger::Migration),
        Box::new(m20261201_000041_drop_notification_log::Migration),
        Box::new(m20261202_000060_preferences::Migration),
        Box::new(m20261202_000062_live_push::Migration),
        Box::new(m20261202_000061_reminders::Migration),
    ]
}
