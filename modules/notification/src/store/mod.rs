//! sea-orm entities of the `notification` schema, and every query over them.

pub mod dealers;
pub mod deliveries;
pub mod held;
pub mod inbox;
pub mod people;
pub mod preferences;
pub mod reminders;
pub mod templates;

/// Milliseconds since the Unix epoch (how delivery schedules are stored).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
