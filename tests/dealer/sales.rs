use super::{dealer_events_about, eventually, unit};
use crate::common::{
    problem, spawn_seeded_app, spawn_seeded_app_with, TestApp, EVM, MANAGER_A, MANAGER_B, STAFF_A,
};
use contracts::seed as demo;
use serde_json::{json, Value};

/// The OEM ships one Terra Max in Crimson Red to dealer A (through the manufacturer's API) and
/// the dealer confirms receipt; returns the VIN once it is in the dealer's stock.
async fn receive_from_the_oem(app: &TestApp) -> String {
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;
    let placed: Value = app
        .post_as(&manager, "/api/v1/dealer-orders", &json!({ "lines": [{ "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED, "quantity": 1 }] }))
        .await
        .json()
        .await
        .unwrap();
    let id = placed["id"].as_str().unwrap().to_owned();
    for action in ["approve", "allocate", "ship"] {
        let response = app
            .post_as(
                &evm,
                &format!("/api/v1/dealer-orders/{id}/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200, "{action}");
    }
    let order: Value = app
        .get_as(&evm, &format!("/api/v1/dealer-orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let vin = order["vins"][0].as_str().unwrap().to_owned();
    let arrived = eventually("the shipped unit in dealer inventory", || async {
        unit(app, &manager, demo::DEALER_A, &vin).await
    })
    .await;
    assert_eq!(arrived["status"], "in_transit");
    let delivered = app
        .post_as(
            &manager,
            &format!("/api/v1/dealer-orders/{id}/deliver"),
            &json!({}),
        )
        .await;
    assert_eq!(delivered.status(), 200);
    eventually("the unit in stock", || async {
        unit(app, &manager, demo::DEALER_A, &vin)
            .await
            .filter(|u| u["status"] == "in_stock")
    })
    .await;
    vin
}

async fn post_with_key(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn from_oem_shipment_to_a_delivered_sale_with_each_event_once() {
    sell_from_an_oem_shipment(spawn_seeded_app().await).await;
}

/// The same sale with every event travelling through RabbitMQ (publisher confirms, per-module
/// queues, inbox on the consumer side).
#[tokio::test]
async fn from_oem_shipment_to_a_delivered_sale_over_rabbitmq() {
    let Some(broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let app = spawn_seeded_app_with(&[
        ("EVDMS__BUS__TRANSPORT", "rabbitmq"),
        ("EVDMS__BUS__AMQP_URL", broker.url.as_str()),
        ("EVDMS__BUS__BROKER_PREFIX", broker.prefix.as_str()),
    ])
    .await;
    sell_from_an_oem_shipment(app).await;
}

async fn sell_from_an_oem_shipment(app: TestApp) {
    let vin = receive_from_the_oem(&app).await;
    let staff = app.token(STAFF_A).await;
    let manager = app.token(MANAGER_A).await;
    let customer = demo::DEMO_CUSTOMERS[0].id;

    let quotation = app
        .post_as(&staff, "/api/v1/quotations", &json!({ "customerId": customer, "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED,
            "options": [{ "name": "Tow bar", "price": 99_999 }], "manualDiscountBp": 150 }))
        .await;
    assert_eq!(quotation.status(), 201);
    let quotation: Value = quotation.json().await.unwrap();
    let q = quotation["id"].as_str().unwrap().to_owned();
    let b = &quotation["breakdown"];
    // Exact integer arithmetic: MSRP 6,899,000 + red 200,000 + option 99,999.
    assert_eq!(b["subtotal"], 6_899_000 + 200_000 + 99_999);
    let promotions: i64 = b["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount"].as_i64().unwrap())
        .sum();
    let taxable =
        b["subtotal"].as_i64().unwrap() - promotions - b["manualDiscount"].as_i64().unwrap();
    assert_eq!(b["taxable"], taxable);
    assert_eq!(b["tax"].as_i64().unwrap(), (taxable * 1000 + 5000) / 10_000);
    assert_eq!(quotation["total"], taxable + b["tax"].as_i64().unwrap());
    problem(
        app.post_as(
            &staff,
            &format!("/api/v1/quotations/{q}/accept"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    for action in ["send", "accept"] {
        assert_eq!(
            app.post_as(
                &staff,
                &format!("/api/v1/quotations/{q}/{action}"),
                &json!({})
            )
            .await
            .status(),
            200,
            "{action}"
        );
    }
    let plan = json!({ "paymentPlan": "instalments", "downPayment": 2_000_000, "instalments": 2, "annualRateBp": 600 });
    let order = app
        .post_as(&staff, &format!("/api/v1/quotations/{q}/convert"), &plan)
        .await;
    assert_eq!(order.status(), 201);
    let order: Value = order.json().await.unwrap();
    assert_eq!(
        order["vin"],
        vin.as_str(),
        "the only unit of its kind is reserved"
    );
    assert_eq!(order["status"], "approved");
    problem(
        app.post_as(&staff, &format!("/api/v1/quotations/{q}/convert"), &plan)
            .await,
        409,
    )
    .await;
    let id = order["id"].as_str().unwrap().to_owned();
    let schedule = order["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 3);
    let scheduled: i64 = schedule.iter().map(|i| i["amount"].as_i64().unwrap()).sum();
    assert_eq!(scheduled, order["payable"].as_i64().unwrap());
    assert_eq!(
        order["payable"].as_i64().unwrap(),
        order["total"].as_i64().unwrap() + order["interest"].as_i64().unwrap()
    );

    problem(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/sign"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/contract"),
            &json!({ "terms": "Standard terms" })
        )
        .await
        .status(),
        200
    );
    let signed: Value = app
        .post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/sign"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(signed["status"], "contracted");
    assert_eq!(signed["contract"]["status"], "signed");

    let down = json!({ "amount": 2_000_000, "method": "cash", "reference": "R-1" });
    assert_eq!(
        post_with_key(
            &app,
            &staff,
            &format!("/api/v1/sales-orders/{id}/payments"),
            "pay-1",
            &down
        )
        .await
        .status(),
        200
    );
    let rest = order["payable"].as_i64().unwrap() - 2_000_000;
    let body = json!({ "amount": rest, "method": "transfer", "reference": "R-2" });
    let (first, retry) = (
        post_with_key(
            &app,
            &staff,
            &format!("/api/v1/sales-orders/{id}/payments"),
            "pay-2",
            &body,
        )
        .await,
        post_with_key(
            &app,
            &staff,
            &format!("/api/v1/sales-orders/{id}/payments"),
            "pay-2",
            &body,
        )
        .await,
    );
    assert_eq!(first.status(), 200);
    assert_eq!(retry.status(), 200, "the retry replays the first answer");
    assert_eq!(retry.headers().get("idempotency-replayed").unwrap(), "true");
    // The answer (stored with the payment, in its transaction) shows the order it paid off.
    let (first, retry): (Value, Value) = (first.json().await.unwrap(), retry.json().await.unwrap());
    assert_eq!(first, retry);
    assert_eq!(first["status"], "paid", "{first}");
    assert_eq!(first["outstanding"], 0, "{first}");
    let payments: Value = app
        .get_as(&staff, &format!("/api/v1/sales-orders/{id}/payments"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        payments.as_array().unwrap().len(),
        2,
        "the repeated payment was applied once"
    );
    let paid: Value = app
        .get_as(&staff, &format!("/api/v1/sales-orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["outstanding"], 0);
    let when = chrono::Utc::now() + chrono::Duration::days(2);
    assert_eq!(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/delivery"),
            &json!({ "scheduledAt": when })
        )
        .await
        .status(),
        200
    );
    let delivered: Value = app
        .post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/deliver"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(delivered["status"], "delivered");
    let sold = unit(&app, &manager, demo::DEALER_A, &vin).await.unwrap();
    assert_eq!(sold["status"], "delivered");

    assert_eq!(
        dealer_events_about(&app, &q).await,
        ["dealer.quotation_sent.v1"]
    );
    assert_eq!(
        dealer_events_about(&app, &id).await,
        [
            "dealer.order_created.v1",
            "dealer.order_approved.v1",
            "dealer.contract_signed.v1",
            "dealer.payment_received.v1",
            "dealer.payment_received.v1",
            "dealer.vehicle_delivered.v1",
        ]
    );
    // The customer module hears of the delivery: the customer's open lead is won.
    eventually("the customer's lead to be won", || async {
        let leads: Value = app
            .get_as(&manager, &format!("/api/v1/leads?customerId={customer}"))
            .await
            .json()
            .await
            .ok()?;
        (leads["items"][0]["stage"] == "won").then_some(())
    })
    .await;
    // Stop relays and consumers before a broker guard deletes the topology.
    app.stop().await;
}

#[tokio::test]
async fn two_orders_racing_for_the_last_unit_have_one_winner() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let order = |customer: usize| json!({ "customerId": demo::DEMO_CUSTOMERS[customer].id, "variantId": demo::VARIANT_PULSE_CITY, "colourId": demo::COLOUR_PULSE_WHITE, "paymentPlan": "full" });
    // Three in stock: take two, then race for the last.
    for customer in [0, 1] {
        assert_eq!(
            app.post_as(&manager, "/api/v1/sales-orders", &order(customer))
                .await
                .status(),
            201
        );
    }
    let (third, fourth) = (order(2), order(3));
    let (a, b) = tokio::join!(
        app.post_as(&manager, "/api/v1/sales-orders", &third),
        app.post_as(&manager, "/api/v1/sales-orders", &fourth)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let loser = if a.status() == 409 { a } else { b };
    assert_eq!(problem(loser, 409).await["code"], "out_of_stock");
    let left: Value = app
        .get_as(
            &manager,
            &format!(
                "/api/v1/dealers/{}/inventory?variantId={}&colourId={}&status=in_stock",
                demo::DEALER_A,
                demo::VARIANT_PULSE_CITY,
                demo::COLOUR_PULSE_WHITE
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left["total"], 0);
    // Cancelling an order puts its unit back.
    let orders: Value = app
        .get_as(&manager, "/api/v1/sales-orders?status=approved")
        .await
        .json()
        .await
        .unwrap();
    let first = orders["items"][0]["id"].as_str().unwrap();
    let cancelled = app
        .post_as(
            &manager,
            &format!("/api/v1/sales-orders/{first}/cancel"),
            &json!({ "reason": "customer withdrew" }),
        )
        .await;
    assert_eq!(cancelled.status(), 200);
    let again = app
        .post_as(&manager, "/api/v1/sales-orders", &order(3))
        .await;
    assert_eq!(again.status(), 201);
}

#[tokio::test]
async fn discounts_are_capped_by_role_and_big_ones_wait_for_a_manager() {
    let app = spawn_seeded_app().await;
    let staff = app.token(STAFF_A).await;
    let manager = app.token(MANAGER_A).await;
    let body = |bp: i64| json!({ "customerId": demo::DEMO_CUSTOMERS[0].id, "variantId": demo::VARIANT_AURORA_LONG_RANGE, "colourId": demo::COLOUR_AURORA_WHITE, "manualDiscountBp": bp, "paymentPlan": "full" });
    let too_much = problem(
        app.post_as(&staff, "/api/v1/sales-orders", &body(800))
            .await,
        422,
    )
    .await;
    assert_eq!(too_much["errors"][0]["field"], "manualDiscountBp");
    let order: Value = app
        .post_as(&staff, "/api/v1/sales-orders", &body(400))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order["status"], "pending");
    assert_eq!(order["needsApproval"], true);
    let id = order["id"].as_str().unwrap();
    problem(
        app.post_as(
            &staff,
            &format!("/api/v1/sales-orders/{id}/approve"),
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    let approved: Value = app
        .post_as(
            &manager,
            &format!("/api/v1/sales-orders/{id}/approve"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "approved");
    // Unknown customers and unknown variants are refused and nothing is reserved.
    let mut stranger = body(0);
    stranger["customerId"] = json!(demo::DEMO_CUSTOMERS[5].id);
    problem(
        app.post_as(&staff, "/api/v1/sales-orders", &stranger).await,
        422,
    )
    .await;
}

#[tokio::test]
async fn a_suspended_dealer_cannot_sell() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let manager_b = app.token(MANAGER_B).await;
    let dealer: Value = app
        .get_as(&evm, &format!("/api/v1/dealers/{}", demo::DEALER_B))
        .await
        .json()
        .await
        .unwrap();
    let suspended = app
        .patch_as(
            &evm,
            &format!("/api/v1/dealers/{}", demo::DEALER_B),
            &json!({ "status": "suspended", "version": dealer["version"] }),
        )
        .await;
    assert_eq!(suspended.status(), 200);
    let body = json!({ "customerId": demo::DEMO_CUSTOMERS[4].id, "variantId": demo::VARIANT_AURORA_LONG_RANGE, "colourId": demo::COLOUR_AURORA_WHITE });
    assert_eq!(
        problem(
            app.post_as(&manager_b, "/api/v1/quotations", &body).await,
            409
        )
        .await["code"],
        "dealer_not_active"
    );
    problem(
        app.patch_as(
            &manager_b,
            &format!("/api/v1/dealers/{}", demo::DEALER_B),
            &json!({ "status": "active", "version": 2 }),
        )
        .await,
        403,
    )
    .await;
}
