//! The customer module over HTTP: customers and duplicates, search, leads, test drives raced for
//! the same slot, feedback, the timeline from dealer events, erasure, tenant isolation, and the
//! timeline-store contract on every configured store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod app_rules;
mod customers;
mod feedback;
mod leads;
mod privacy;
mod test_drives;
mod timeline_store;

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use common::TestApp;
use contracts::IntegrationEvent;
use serde_json::{json, Value};

pub use common::eventually;

/// Creates a customer of the caller's dealer and returns it (asserting 201).
pub async fn create_customer(
    app: &TestApp,
    token: &str,
    name: &str,
    phone: &str,
    email: &str,
) -> Value {
    let response = app
        .post_as(
            token,
            "/api/v1/customers",
            &json!({ "kind": "individual", "fullName": name, "phone": phone, "email": email }),
        )
        .await;
    assert_eq!(response.status(), 201, "creating {name}");
    response.json().await.unwrap()
}

/// `hour`:00 UTC on a day a few days ahead when the demo branches are open (they open 08:00–18:00
/// at UTC+7, Monday to Saturday, so 01:00–11:00 UTC).
pub fn open_time(days_ahead: i64, hour: u32) -> DateTime<Utc> {
    let mut day = Utc::now().date_naive() + Duration::days(days_ahead);
    if day.weekday() == Weekday::Sun {
        day += Duration::days(1);
    }
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

/// Writes an event into a module's outbox, as that module would (the app's relay delivers it).
pub async fn publish_as_module<E: IntegrationEvent>(app: &TestApp, event: &E) {
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish(&mut txn, event).await.unwrap();
    txn.commit().await.unwrap();
}

/// Dealer A's demo car of the Aurora Long Range (at its main showroom).
pub fn demo_vin() -> String {
    contracts::seed::demo_car(
        contracts::seed::DEALER_A,
        contracts::seed::VARIANT_AURORA_LONG_RANGE,
    )
    .unwrap()
    .vin
}

/// The same VIN with a wrong check digit.
pub fn bad_vin() -> String {
    let mut vin: Vec<char> = demo_vin().chars().collect();
    vin[8] = if vin[8] == '1' { '2' } else { '1' };
    vin.into_iter().collect()
}
