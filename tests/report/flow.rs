//! One vehicle from the OEM to a customer, and the figures it moves: dealer stock and debt,
//! the lead funnel, customer debt, the order pipeline, and the sale itself, each by exactly what
//! happened; then every published event is delivered again and nothing moves twice.

use super::{caught_up, eventually, report, today};
use crate::common::{connect, spawn_seeded_app_with, TestApp, EVM, MANAGER_A, STAFF_A};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn a_sale_moves_every_figure_once() {
    sale_moves_every_figure_once(spawn_seeded_app_with(UNLIMITED).await).await;
}

/// The test polls six reports until they settle: more than a user's rate limit allows.
const UNLIMITED: &[(&str, &str)] = &[
    ("EVDMS__SERVER__RATE_LIMIT_PER_USER", "0"),
    ("EVDMS__SERVER__RATE_LIMIT_PER_IP", "0"),
];

#[tokio::test]
async fn a_sale_moves_every_figure_once_over_rabbitmq() {
    let Some(broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let app = spawn_seeded_app_with(&[
        ("EVDMS__BUS__TRANSPORT", "rabbitmq"),
        ("EVDMS__BUS__AMQP_URL", broker.url.as_str()),
        ("EVDMS__BUS__BROKER_PREFIX", broker.prefix.as_str()),
        UNLIMITED[0],
        UNLIMITED[1],
    ])
    .await;
    sale_moves_every_figure_once(app).await;
}

/// The figures the flow moves, as the dealer manager and the OEM see them.
#[derive(Debug, Clone, PartialEq)]
struct Figures {
    units_today: i64,
    revenue_today: i64,
    margin_today: i64,
    terra_max_on_hand: i64,
    dealer_outstanding: i64,
    leads_created: i64,
    leads_won: i64,
    customer_outstanding: i64,
    orders_created: i64,
    orders_delivered: i64,
    dealer_orders_created: i64,
}

async fn figures(app: &TestApp, manager: &str, evm: &str) -> Figures {
    let day = today();
    let sales = report(
        app,
        manager,
        &format!("/api/v1/reports/sales?from={day}&to={day}&interval=day"),
    )
    .await;
    let stock = report(app, manager, "/api/v1/reports/inventory").await;
    let on_hand = stock["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["variantId"] == demo::VARIANT_TERRA_MAX.to_string())
        .map(|l| l["onHand"].as_i64().unwrap())
        .sum();
    let debt = report(
        app,
        evm,
        &format!("/api/v1/reports/debts/dealers?dealerId={}", demo::DEALER_A),
    )
    .await;
    let funnel = report(
        app,
        manager,
        &format!("/api/v1/reports/funnel?from={day}&to={day}"),
    )
    .await;
    let customers = report(app, manager, "/api/v1/reports/debts/customers").await;
    let orders = report(
        app,
        manager,
        &format!("/api/v1/reports/orders?from={day}&to={day}"),
    )
    .await;
    Figures {
        units_today: sales["totals"]["units"].as_i64().unwrap(),
        revenue_today: sales["totals"]["revenue"].as_i64().unwrap(),
        margin_today: sales["totals"]["margin"].as_i64().unwrap(),
        terra_max_on_hand: on_hand,
        dealer_outstanding: debt["totals"]["current"].as_i64().unwrap()
            + debt["totals"]["days0To30"].as_i64().unwrap()
            + debt["totals"]["days31To60"].as_i64().unwrap()
            + debt["totals"]["days61To90"].as_i64().unwrap()
            + debt["totals"]["days90Plus"].as_i64().unwrap(),
        leads_created: funnel["created"].as_i64().unwrap(),
        leads_won: funnel["won"].as_i64().unwrap(),
        customer_outstanding: customers["totals"]["outstanding"].as_i64().unwrap(),
        orders_created: orders["retail"]["created"].as_i64().unwrap(),
        orders_delivered: orders["retail"]["delivered"].as_i64().unwrap(),
        dealer_orders_created: orders["dealerOrders"]["created"].as_i64().unwrap(),
    }
}

/// Waits until the projection has caught up and the figures satisfy `check`. Over RabbitMQ on a
/// loaded machine a figure can take longer than the common 10 s poll, so this one allows 60 s.
async fn settled(
    app: &TestApp,
    manager: &str,
    evm: &str,
    what: &str,
    check: impl Fn(&Figures) -> bool,
) -> Figures {
    let mut last = None;
    for _ in 0..300 {
        if caught_up(app).await {
            let f = figures(app, manager, evm).await;
            if check(&f) {
                return f;
            }
            last = Some(f);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}; last figures: {last:?}");
}

async fn ok(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

async fn sale_moves_every_figure_once(app: TestApp) {
    let manager = app.token(MANAGER_A).await;
    let staff = app.token(STAFF_A).await;
    let evm = app.token(EVM).await;
    // The seeded state, once the seed's own events have been projected.
    let before = settled(&app, &manager, &evm, "the seeded figures", |_| true).await;

    // OEM → dealer: one Terra Max ordered, shipped with an invoice, received.
    let placed = ok(
        app.post_as(&manager, "/api/v1/dealer-orders", &json!({ "lines": [{ "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED, "quantity": 1 }] }))
            .await,
        "place a dealer order",
    )
    .await;
    let dealer_order = placed["id"].as_str().unwrap().to_owned();
    for action in ["approve", "allocate", "ship"] {
        ok(
            app.post_as(
                &evm,
                &format!("/api/v1/dealer-orders/{dealer_order}/{action}"),
                &json!({}),
            )
            .await,
            action,
        )
        .await;
    }
    let shipped: Value = ok(
        app.get_as(&evm, &format!("/api/v1/dealer-orders/{dealer_order}"))
            .await,
        "dealer order",
    )
    .await;
    let vin = shipped["vins"][0].as_str().unwrap().to_owned();
    eventually("the unit in transit at the dealer", || async {
        let page: Value = app
            .get_as(
                &manager,
                &format!("/api/v1/dealers/{}/inventory?q={vin}", demo::DEALER_A),
            )
            .await
            .json()
            .await
            .ok()?;
        (page["items"][0]["status"] == "in_transit").then_some(())
    })
    .await;
    ok(
        app.post_as(
            &manager,
            &format!("/api/v1/dealer-orders/{dealer_order}/deliver"),
            &json!({}),
        )
        .await,
        "confirm receipt",
    )
    .await;
    let invoices: Value = ok(
        app.get_as(
            &evm,
            &format!("/api/v1/dealer-invoices?dealerId={}", demo::DEALER_A),
        )
        .await,
        "invoices",
    )
    .await;
    let invoice = invoices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["orderId"] == dealer_order.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("the shipment's invoice: {invoices}"));
    let invoice_amount = invoice["amount"].as_i64().unwrap();
    let after_stock = settled(&app, &manager, &evm, "stock and debt", |f| {
        f.terra_max_on_hand == before.terra_max_on_hand + 1
            && f.dealer_outstanding == before.dealer_outstanding + invoice_amount
    })
    .await;
    assert_eq!(
        after_stock.dealer_orders_created,
        before.dealer_orders_created + 1
    );

    // The dealer pays a part of the invoice; the OEM records it.
    ok(
        app.post_as(&evm, "/api/v1/dealer-payments", &json!({ "invoiceId": invoice["id"], "amount": 1_000_000, "method": "transfer", "reference": "WIRE-1" }))
            .await,
        "dealer payment",
    )
    .await;

    // A new customer becomes a lead, gets a quotation, an order paid in instalments, delivery.
    let customer = ok(
        app.post_as(&staff, "/api/v1/customers", &json!({ "kind": "individual", "fullName": "Report Flow", "phone": "0907000111", "email": "report.flow@example.com" }))
            .await,
        "customer",
    )
    .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    ok(
        app.post_as(&staff, "/api/v1/leads", &json!({ "customerId": customer_id, "source": "walk_in", "variantId": demo::VARIANT_TERRA_MAX }))
            .await,
        "lead",
    )
    .await;
    let quotation = eventually("the dealer to know the customer", || async {
        let response = app
            .post_as(&staff, "/api/v1/quotations", &json!({ "customerId": customer_id, "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED, "manualDiscountBp": 100 }))
            .await;
        if response.status() == 201 {
            response.json::<Value>().await.ok()
        } else {
            None
        }
    })
    .await;
    let q = quotation["id"].as_str().unwrap().to_owned();
    for action in ["send", "accept"] {
        ok(
            app.post_as(
                &staff,
                &format!("/api/v1/quotations/{q}/{action}"),
                &json!({}),
            )
            .await,
            action,
        )
        .await;
    }
    let order = ok(
        app.post_as(&staff, &format!("/api/v1/quotations/{q}/convert"), &json!({ "paymentPlan": "instalments", "downPayment": 2_000_000, "instalments": 2, "annualRateBp": 600 }))
            .await,
        "convert",
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    let payable = order["payable"].as_i64().unwrap();
    let mid = settled(&app, &manager, &evm, "the order and its debt", |f| {
        f.customer_outstanding == before.customer_outstanding + payable
            && f.leads_created == before.leads_created + 1
            && f.dealer_outstanding == before.dealer_outstanding + invoice_amount - 1_000_000
    })
    .await;
    assert_eq!(mid.orders_created, before.orders_created + 1);
    assert_eq!(
        mid.units_today, before.units_today,
        "nothing is sold before delivery"
    );

    ok(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{order_id}/contract"),
            &json!({ "terms": "Standard" }),
        )
        .await,
        "contract",
    )
    .await;
    ok(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{order_id}/sign"),
            &json!({}),
        )
        .await,
        "sign",
    )
    .await;
    for (n, amount) in [(1, 2_000_000), (2, payable - 2_000_000)] {
        ok(
            app.post_as(
                &staff,
                &format!("/api/v1/sales-orders/{order_id}/payments"),
                &json!({ "amount": amount, "method": "transfer", "reference": format!("P-{n}") }),
            )
            .await,
            "payment",
        )
        .await;
    }
    let when = chrono::Utc::now() + chrono::Duration::days(1);
    ok(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{order_id}/delivery"),
            &json!({ "scheduledAt": when }),
        )
        .await,
        "schedule delivery",
    )
    .await;
    ok(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{order_id}/deliver"),
            &json!({}),
        )
        .await,
        "deliver",
    )
    .await;
    let total = order["total"].as_i64().unwrap();
    let tax = quotation["breakdown"]["tax"].as_i64().unwrap();
    let after = settled(&app, &manager, &evm, "the sale", |f| {
        f.units_today == before.units_today + 1 && f.leads_won == before.leads_won + 1
    })
    .await;
    assert_eq!(after.revenue_today, before.revenue_today + total);
    // Margin: net of tax, less what the dealer paid the OEM for the unit.
    let unit_cost = shipped["lines"][0]["unitPrice"].as_i64().unwrap();
    assert_eq!(
        after.margin_today,
        before.margin_today + total - tax - unit_cost
    );
    assert_eq!(
        after.terra_max_on_hand, before.terra_max_on_hand,
        "the unit left stock"
    );
    assert_eq!(
        after.customer_outstanding, before.customer_outstanding,
        "fully paid"
    );
    assert_eq!(after.orders_delivered, before.orders_delivered + 1);

    // Every published event again, with the same ids: the inboxes drop them, nothing moves.
    let db = connect(&app.database).await;
    for schema in ["manufacturer", "dealer", "customer"] {
        let sql = format!(
            "UPDATE \"{schema}\".outbox SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = NULL, published_at = NULL WHERE status = 'published'"
        );
        sea_orm::ConnectionTrait::execute_unprepared(db.conn(), &sql)
            .await
            .unwrap();
    }
    db.wake_relays();
    eventually(
        "the report handler to skip the redelivered events",
        || async {
            let metrics = app.get("/metrics").await.text().await.ok()?;
            let skipped = |event: &str| {
                metrics.lines().any(|l| {
                    l.starts_with("evdms_events_duplicate_total{")
                        && l.contains("handler=\"report.facts\"")
                        && l.contains(&format!("event=\"{event}\""))
                })
            };
            [
                "dealer.vehicle_delivered.v1",
                "manufacturer.dealer_order_shipped.v1",
                "manufacturer.dealer_payment_recorded.v1",
                "customer.lead_created.v1",
            ]
            .into_iter()
            .all(skipped)
            .then_some(())
        },
    )
    .await;
    let again = settled(&app, &manager, &evm, "the figures after redelivery", |_| {
        true
    })
    .await;
    assert_eq!(again, after, "a redelivered event moved a figure");
    app.stop().await;
}
