//! The notification module end to end: events routed to the right people (and no others), the
//! delivery ledger (exactly once under redelivery; retries through an SMTP outage), a real SMTP
//! server receiving MIME mail, consent and erasure, users' preferences and daily digest, SMS
//! quiet hours, the in-app inbox and its live stream, and templates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod digest;
mod email;
mod inbox;
mod preferences;
mod quiet_hours;
mod reminders;
mod routing;
mod sms;
mod smtp_server;
mod stream;
mod templates;

use common::{eventually, TestApp};
use contracts::IntegrationEvent;
use serde_json::Value;

/// Writes an event into its source module's outbox, as that module would.
pub async fn publish_as_module<E: IntegrationEvent>(app: &TestApp, event: &E) -> uuid::Uuid {
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    let id = kernel::events::publish(&mut txn, event).await.unwrap();
    txn.commit().await.unwrap();
    id
}

/// The ledger rows matching `query` (e.g. `eventId=…`), as the admin sees them.
pub async fn deliveries(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(
            admin,
            &format!("/api/v1/admin/notifications/deliveries?pageSize=100&{query}"),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// Waits until the ledger holds `count` rows for `query` and returns them.
pub async fn await_deliveries(app: &TestApp, admin: &str, query: &str, count: usize) -> Vec<Value> {
    eventually(&format!("{count} deliveries for {query}"), || async {
        let rows = deliveries(app, admin, query).await;
        (rows.len() >= count).then_some(rows)
    })
    .await
}

/// Waits until the delivery of `event_id` on `channel` is sent and returns it.
pub async fn await_sent(app: &TestApp, admin: &str, event_id: uuid::Uuid, channel: &str) -> Value {
    eventually(&format!("the {channel} of {event_id} sent"), || async {
        deliveries(
            app,
            admin,
            &format!("eventId={event_id}&channel={channel}&status=sent"),
        )
        .await
        .pop()
    })
    .await
}

/// A seeded app mailing through a fresh SMTP server, with the directory filled, and an admin
/// token; `None` (the test skips) without aiosmtpd.
pub async fn seeded_app_with_smtp() -> Option<(smtp_server::SmtpServer, TestApp, String)> {
    if !smtp_server::available() {
        return None;
    }
    let smtp = smtp_server::SmtpServer::start().await;
    let vars = smtp_server::SmtpServer::settings(smtp.port);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = common::spawn_seeded_app_with(&vars).await;
    let admin = app.token(common::ADMIN).await;
    await_directory(&app, &admin).await;
    Some((smtp, app, admin))
}

/// Waits until the six demo users are in the notification directory (each got a welcome mail)
/// and every event the seed raised has been handled.
pub async fn await_directory(app: &TestApp, admin: &str) {
    await_deliveries(app, admin, "event=auth.user_registered.v1", 6).await;
    eventually("the seed's events handled", || async {
        let outboxes: Vec<Value> = app
            .get_as(admin, "/api/v1/admin/outbox")
            .await
            .json()
            .await
            .unwrap();
        outboxes.iter().all(|o| o["pending"] == 0).then_some(())
    })
    .await;
}

/// The caller's inbox (`query` like `unread=true`).
pub async fn inbox(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(
            token,
            &format!("/api/v1/notifications?pageSize=100&{query}"),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// The caller's inbox items about `event` (seeded data raises events of its own).
pub async fn inbox_of(app: &TestApp, token: &str, event: &str) -> Vec<Value> {
    inbox(app, token, "")
        .await
        .into_iter()
        .filter(|item| item["event"] == event)
        .collect()
}

/// A dealer order approval of `dealer` (published as the manufacturer module would).
pub fn order_approved(
    dealer: uuid::Uuid,
    number: &str,
) -> contracts::events::manufacturer::DealerOrderApproved {
    contracts::events::manufacturer::DealerOrderApproved {
        order_id: uuid::Uuid::now_v7(),
        order_number: number.into(),
        dealer_id: dealer,
        approved_by: contracts::seed::DEMO_USER_IDS[1],
        total: contracts::money::Money(285_000_000),
    }
}

/// The recipient keys of ledger rows, with their channel, sorted.
pub fn recipients(rows: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["recipient"].as_str().unwrap().to_owned(),
                r["channel"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}
