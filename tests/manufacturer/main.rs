//! The manufacturer module over HTTP: catalog, stock, dealer orders, invoices.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod catalog;
mod catalog_use_cases;
mod dealer_orders;
mod finance;
mod order_use_cases;

use common::TestApp;
use contracts::seed as demo;
use serde_json::{json, Value};

/// The demo variant and colour most tests order.
pub fn aurora_white() -> (String, String) {
    (
        demo::VARIANT_AURORA_LONG_RANGE.to_string(),
        demo::COLOUR_AURORA_WHITE.to_string(),
    )
}

/// Places an order as `token`'s dealer manager and returns it.
pub async fn place_order(app: &TestApp, token: &str, quantity: i64) -> Value {
    let (variant, colour) = aurora_white();
    let response = app
        .post_as(token, "/api/v1/dealer-orders", &json!({ "lines": [{ "variantId": variant, "colourId": colour, "quantity": quantity }] }))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// POSTs an action on a dealer order and returns the response.
pub async fn act(
    app: &TestApp,
    token: &str,
    order: &Value,
    action: &str,
    body: Value,
) -> reqwest::Response {
    let id = order["id"].as_str().unwrap();
    app.post_as(
        token,
        &format!("/api/v1/dealer-orders/{id}/{action}"),
        &body,
    )
    .await
}

/// The outbox events of the manufacturer about one aggregate, by name.
pub async fn events_about(app: &TestApp, aggregate: &str) -> Vec<String> {
    common::outbox_events(app, "manufacturer")
        .await
        .into_iter()
        .filter(|(_, payload)| {
            ["orderId", "invoiceId", "variantId", "promotionId"]
                .iter()
                .any(|key| payload[*key].as_str() == Some(aggregate))
        })
        .map(|(name, _)| name)
        .collect()
}
