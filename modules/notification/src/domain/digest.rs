//! The daily digest: one email per user listing the messages held for it, sent at a fixed hour
//! (UTC). Its template is edited like any other, under the name [`TEMPLATE`].

use chrono::{DateTime, Days, Utc};
use serde_json::{json, Value};

/// The template slot of the digest email (not an integration event; only email).
pub const TEMPLATE: &str = "notification.digest";

/// One held message as the digest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub event: String,
    pub category: String,
    pub subject: String,
    /// The message's text.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// The next scheduled run strictly after `now`, at `hour` UTC; `None` when `hour` is not an
/// hour of the day (no schedule).
pub fn next_run(now: DateTime<Utc>, hour: u32) -> Option<DateTime<Utc>> {
    let today = now.date_naive().and_hms_opt(hour, 0, 0)?.and_utc();
    if today > now {
        Some(today)
    } else {
        today
            .date_naive()
            .checked_add_days(Days::new(1))?
            .and_hms_opt(hour, 0, 0)
            .map(|t| t.and_utc())
    }
}

/// A message's text on one line (the digest lists one line per message).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The digest's variables (besides `recipientName` and `appUrl`): `count`, `date` and `items`,
/// each with `subject`, `summary` (the text on one line), `event`, `category`, `createdAt`.
pub fn payload(items: &[Item], now: DateTime<Utc>) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            json!({
                "subject": item.subject,
                "summary": one_line(&item.text),
                "event": item.event,
                "category": item.category,
                "createdAt": item.created_at.to_rfc3339(),
            })
        })
        .collect();
    json!({
        "count": items.len(),
        "date": now.date_naive().to_string(),
        "items": items,
    })
}

/// A digest of two messages, for previews and for the variables its template may use.
pub fn sample_payload() -> Value {
    let at = DateTime::from_timestamp(1_767_261_600, 0).unwrap_or_default();
    let item = |subject: &str, text: &str| Item {
        event: "dealer.stock_low.v1".into(),
        category: "stock".into(),
        subject: subject.into(),
        text: text.into(),
        created_at: at,
    };
    payload(
        &[
            item(
                "Dealer stock low",
                "Only 1 unit(s) of a variant are in stock.",
            ),
            item(
                "Dealer stock low",
                "Only 2 unit(s) of a variant are in stock.",
            ),
        ],
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_next_run_is_today_before_the_hour_and_tomorrow_from_it() {
        assert_eq!(
            next_run(utc("2026-12-01T06:59:00Z"), 7),
            Some(utc("2026-12-01T07:00:00Z"))
        );
        assert_eq!(
            next_run(utc("2026-12-01T07:00:00Z"), 7),
            Some(utc("2026-12-02T07:00:00Z"))
        );
        assert_eq!(next_run(utc("2026-12-01T07:00:00Z"), 24), None);
    }

    #[test]
    fn items_are_listed_on_one_line_each() {
        let payload = sample_payload();
        assert_eq!(payload["count"], 2);
        let at = utc("2026-12-01T07:00:00Z");
        let held = payload_of_one("Hello Ann,\n\nline one\nline two", at);
        assert_eq!(held["items"][0]["summary"], "Hello Ann, line one line two");
        assert_eq!(held["date"], "2026-12-01");
    }

    fn payload_of_one(text: &str, at: DateTime<Utc>) -> Value {
        payload(
            &[Item {
                event: "e".into(),
                category: "stock".into(),
                subject: "s".into(),
                text: text.into(),
                created_at: at,
            }],
            at,
        )
    }
}
