//! The dealer module over HTTP: stock from the OEM, quotations, orders, payments, delivery,
//! races and tenant isolation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod isolation;
mod profile;
mod sales;
mod use_cases;

use common::TestApp;
use serde_json::Value;

pub use common::eventually;

/// A unit of the dealer's inventory by VIN, as the dealer sees it.
pub async fn unit(app: &TestApp, token: &str, dealer: uuid::Uuid, vin: &str) -> Option<Value> {
    let page: Value = app
        .get_as(
            token,
            &format!("/api/v1/dealers/{dealer}/inventory?q={vin}"),
        )
        .await
        .json()
        .await
        .ok()?;
    page["items"].as_array()?.first().cloned()
}

/// The dealer's outbox event names about one order.
pub async fn dealer_events_about(app: &TestApp, order_id: &str) -> Vec<String> {
    common::outbox_events(app, "dealer")
        .await
        .into_iter()
        .filter(|(_, p)| match p["orderId"].as_str() {
            Some(order) => order == order_id,
            None => p["quotationId"].as_str() == Some(order_id),
        })
        .map(|(name, _)| name)
        .collect()
}
