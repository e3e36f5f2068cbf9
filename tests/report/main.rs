//! The report module over HTTP: figures moved by a real OEM → dealer → customer flow (each
//! event once, also over RabbitMQ and after a redelivery), role scoping and tenant isolation on
//! every report, CSV, and a forecast run on the seeded history.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod access;
mod csv;
mod flow;
mod forecast;
mod store_contract;

use common::TestApp;
use serde_json::Value;

pub use common::eventually;

/// A report as JSON, asserting 200.
pub async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// Today's date as the API writes it.
pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Facts still waiting to be applied to the read models.
pub async fn queued_facts(app: &TestApp) -> i64 {
    let db = common::connect(&app.database).await;
    report::store::queue::depth(&db).await.unwrap()
}

/// Whether the report module has handled every event it consumes that any module has written,
/// and applied every fact: over RabbitMQ an empty outbox does not mean the consumer is done.
pub async fn caught_up(app: &TestApp) -> bool {
    use sea_orm::{ConnectionTrait, Statement};
    let db = common::connect(&app.database).await;
    let names = report::domain::facts::CONSUMED
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let count = |sql: String| {
        let db = db.clone();
        async move {
            let row = db
                .conn()
                .query_one(Statement::from_string(db.backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    let mut written = 0;
    for schema in ["auth", "manufacturer", "dealer", "customer"] {
        written += count(format!(
            "SELECT COUNT(*) AS n FROM \"{schema}\".outbox WHERE name IN ({names})"
        ))
        .await;
    }
    let handled = count(
        "SELECT COUNT(*) AS n FROM \"report\".inbox WHERE handler = 'report.facts'".to_owned(),
    )
    .await;
    handled == written && report::store::queue::depth(&db).await.unwrap() == 0
}
