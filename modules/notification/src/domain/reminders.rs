//! Reminders ahead of a date learned from events: an instalment due soon, a test drive coming up.
//! When each fires and until when it is worth sending (pure), which instalments a payment
//! settles, and the synthetic events reminders become (routed and templated like real ones).

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use contracts::{IntegrationEvent, Money};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What kind of reminder a row is: also the name of the event it becomes. These events never
/// leave the module (never published, so not in the contracts registry); implementing
/// `IntegrationEvent` lets routing and templates treat them like received ones.
pub const INSTALMENT_DUE_SOON: &str = "notification.instalment_due_soon.v1";
pub const TEST_DRIVE_REMINDER: &str = "notification.test_drive_reminder.v1";

/// An instalment falls due in a few days (`notification.instalment_reminder_days`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentDueSoon {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub instalment_number: i32,
    pub due_date: NaiveDate,
    pub amount_due: Money,
}

impl IntegrationEvent for InstalmentDueSoon {
    const NAME: &'static str = INSTALMENT_DUE_SOON;
    const SOURCE: &'static str = contracts::modules::NOTIFICATION;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// A booked test drive starts soon (`notification.test_drive_reminder_hours`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveReminder {
    pub test_drive_id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    /// The salesperson looking after it, told in-app when known.
    pub staff_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl IntegrationEvent for TestDriveReminder {
    const NAME: &'static str = TEST_DRIVE_REMINDER;
    const SOURCE: &'static str = contracts::modules::NOTIFICATION;
    fn aggregate_id(&self) -> String {
        self.test_drive_id.to_string()
    }
}

/// When a reminder fires, and from when it is no longer worth sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub fire_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// An instalment's reminder: at 00:00 UTC `days` before its due date, worth sending until the
/// due date is over. None for one due today or earlier (the down payment at signing; the
/// overdue notice covers the rest). A time already past fires at the next sweep.
pub fn instalment_timing(due: NaiveDate, days: u32, now: DateTime<Utc>) -> Option<Timing> {
    if due <= now.date_naive() {
        return None;
    }
    let fire_day = due.checked_sub_days(Days::new(u64::from(days)))?;
    Some(Timing {
        fire_at: start_of(fire_day),
        expires_at: start_of(due.checked_add_days(Days::new(1))?),
    })
}

/// A test drive's reminder: `hours` before it starts, worth sending until it starts. None for
/// one already started. A booking inside the lead time is reminded at the next sweep.
pub fn test_drive_timing(
    starts_at: DateTime<Utc>,
    hours: u32,
    now: DateTime<Utc>,
) -> Option<Timing> {
    if starts_at <= now {
        return None;
    }
    Some(Timing {
        fire_at: starts_at - TimeDelta::hours(i64::from(hours)),
        expires_at: starts_at,
    })
}

/// What the sweep does with a pending reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    NotYet,
    Fire,
    /// Too late to be of use (e.g. the process was down past the date): dropped unsent.
    Expired,
}

pub fn sweep_action(fire_at_ms: i64, expires_at_ms: i64, now_ms: i64) -> Sweep {
    if now_ms >= expires_at_ms {
        Sweep::Expired
    } else if now_ms >= fire_at_ms {
        Sweep::Fire
    } else {
        Sweep::NotYet
    }
}

/// For each instalment (number, amount), the order's paid total that settles it: payments settle
/// the oldest instalment first, as the dealer module applies them.
pub fn settled_by(instalments: &[(i32, Money)]) -> Vec<(i32, i64)> {
    let mut sorted = instalments.to_vec();
    sorted.sort_by_key(|(number, _)| *number);
    let mut cumulative = 0i64;
    sorted
        .into_iter()
        .map(|(number, amount)| {
            cumulative = cumulative.saturating_add(amount.0);
            (number, cumulative)
        })
        .collect()
}

pub fn instalment_key(order_id: Uuid, number: i32) -> String {
    format!("instalment:{order_id}:{number}")
}

pub fn test_drive_key(test_drive_id: Uuid) -> String {
    format!("test_drive:{test_drive_id}")
}

/// Namespace of reminder event ids (UUIDv5).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_1c3e_8a52_4b7e_9a0c_5d2e_7f41_a9b3);

/// The id of the event a reminder becomes: the same for the same reminder and time, whichever
/// process or sweep fires it, so the ledger's (event, recipient, channel) key makes it once.
pub fn event_id(key: &str, fire_at_ms: i64) -> Uuid {
    Uuid::new_v5(
        &EVENT_ID_NAMESPACE,
        format!("{key}@{fire_at_ms}").as_bytes(),
    )
}

/// The sample payload of a reminder event (template variables and previews).
pub fn sample_payload(event: &str, id: Uuid, at: DateTime<Utc>) -> Option<serde_json::Value> {
    match event {
        INSTALMENT_DUE_SOON => serde_json::to_value(InstalmentDueSoon {
            order_id: id,
            order_number: "SO-2026-0001".into(),
            dealer_id: id,
            customer_id: id,
            instalment_number: 3,
            due_date: at.date_naive(),
            amount_due: Money(10_000_000),
        })
        .ok(),
        TEST_DRIVE_REMINDER => serde_json::to_value(TestDriveReminder {
            test_drive_id: id,
            dealer_id: id,
            branch_id: id,
            customer_id: id,
            variant_id: id,
            staff_id: Some(id),
            starts_at: at,
            ends_at: at + TimeDelta::hours(1),
        })
        .ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_instalment_is_reminded_days_before_and_until_its_day_ends() {
        let now = at("2026-03-01T15:00:00Z");
        let timing = instalment_timing(day("2026-03-10"), 3, now).unwrap();
        assert_eq!(timing.fire_at, at("2026-03-07T00:00:00Z"));
        assert_eq!(timing.expires_at, at("2026-03-11T00:00:00Z"));
        // Due in two days with a three-day lead: already due, fires at the next sweep.
        let soon = instalment_timing(day("2026-03-03"), 3, now).unwrap();
        assert!(soon.fire_at < now && now < soon.expires_at);
        // Due today or before: no "due soon" reminder.
        assert_eq!(instalment_timing(day("2026-03-01"), 3, now), None);
        assert_eq!(instalment_timing(day("2026-02-20"), 3, now), None);
    }

    #[test]
    fn a_test_drive_is_reminded_hours_before_it_starts() {
        let now = at("2026-03-01T08:00:00Z");
        let starts = at("2026-03-03T10:00:00Z");
        let timing = test_drive_timing(starts, 24, now).unwrap();
        assert_eq!(timing.fire_at, at("2026-03-02T10:00:00Z"));
        assert_eq!(timing.expires_at, starts);
        // Booked two hours ahead with a 24-hour lead: fires at once.
        let close = test_drive_timing(now + TimeDelta::hours(2), 24, now).unwrap();
        assert_eq!(
            sweep_action(
                close.fire_at.timestamp_millis(),
                close.expires_at.timestamp_millis(),
                now.timestamp_millis()
            ),
            Sweep::Fire
        );
        assert_eq!(test_drive_timing(now, 24, now), None);
    }

    #[test]
    fn the_sweep_fires_due_reminders_and_drops_stale_ones() {
        assert_eq!(sweep_action(100, 200, 99), Sweep::NotYet);
        assert_eq!(sweep_action(100, 200, 100), Sweep::Fire);
        assert_eq!(sweep_action(100, 200, 200), Sweep::Expired);
    }

    #[test]
    fn payments_settle_the_oldest_instalment_first() {
        let plan = [(2, Money(300)), (0, Money(500)), (1, Money(300))];
        assert_eq!(settled_by(&plan), [(0, 500), (1, 800), (2, 1100)]);
    }

    #[test]
    fn reminder_event_ids_are_deterministic() {
        let key = instalment_key(Uuid::nil(), 1);
        assert_eq!(event_id(&key, 5), event_id(&key, 5));
        assert_ne!(event_id(&key, 5), event_id(&key, 6));
        assert_ne!(event_id(&key, 5), event_id(&test_drive_key(Uuid::nil()), 5));
    }
}
