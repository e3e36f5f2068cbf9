use super::{act, events_about, place_order};
use crate::common::{problem, spawn_seeded_app, EVM, MANAGER_A, MANAGER_B, STAFF_A};
use serde_json::{json, Value};

#[tokio::test]
async fn a_dealer_order_goes_from_placement_to_delivery_with_one_event_per_step() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;

    let order = place_order(&app, &manager, 2).await;
    assert_eq!(order["status"], "pending");
    assert_eq!(order["dealerId"], contracts::seed::DEALER_A.to_string());
    let unit = order["lines"][0]["unitPrice"].as_i64().unwrap();
    assert_eq!(order["total"].as_i64().unwrap(), unit * 2);
    // The order is priced by the same quote the dealer can ask for.
    let (variant, colour) = super::aurora_white();
    let quote: Value = app
        .get_as(
            &manager,
            &format!(
                "/api/v1/catalog/price-quote?variantId={variant}&colourId={colour}&quantity=2"
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quote["total"], order["total"]);
    let lines: i64 = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        lines,
        quote["total"].as_i64().unwrap(),
        "quote lines add up: {quote}"
    );

    let approved: Value = act(&app, &evm, &order, "approve", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["allowedActions"], json!(["allocate"]));
    let allocated = act(&app, &evm, &order, "allocate", json!({})).await;
    assert_eq!(allocated.status(), 200);
    let allocated: Value = allocated.json().await.unwrap();
    assert_eq!(allocated["vins"].as_array().unwrap().len(), 2);
    let shipped: Value = act(&app, &evm, &order, "ship", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shipped["status"], "shipped");
    let invoice_id = shipped["invoiceId"].as_str().unwrap().to_owned();
    let invoice: Value = app
        .get_as(&manager, &format!("/api/v1/dealer-invoices/{invoice_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invoice["amount"], order["total"]);
    assert_eq!(invoice["status"], "unpaid");
    let delivered: Value = act(&app, &manager, &order, "deliver", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(delivered["allowedActions"], json!([]));

    let vin = allocated["vins"][0].as_str().unwrap();
    let unit: Value = app
        .get_as(&evm, &format!("/api/v1/oem-stock/{vin}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["status"], "delivered");
    let moves: Vec<&str> = unit["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["movement"].as_str().unwrap())
        .collect();
    assert_eq!(moves, ["receive", "allocate", "ship", "deliver"]);

    let id = order["id"].as_str().unwrap();
    assert_eq!(
        events_about(&app, id).await,
        [
            "manufacturer.dealer_order_placed.v1",
            "manufacturer.dealer_order_approved.v1",
            "manufacturer.vehicles_allocated.v1",
            "manufacturer.dealer_order_shipped.v1",
            "manufacturer.dealer_order_delivered.v1",
        ]
    );
    let shipped_event = crate::common::outbox_events(&app, "manufacturer")
        .await
        .into_iter()
        .find(|(name, p)| name == "manufacturer.dealer_order_shipped.v1" && p["orderId"] == id)
        .unwrap()
        .1;
    assert_eq!(shipped_event["units"].as_array().unwrap().len(), 2);
    assert_eq!(shipped_event["invoiceId"], invoice_id.as_str());
}

#[tokio::test]
async fn illegal_transitions_are_409_and_name_the_allowed_actions() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;
    let order = place_order(&app, &manager, 1).await;
    let body = problem(act(&app, &evm, &order, "ship", json!({})).await, 409).await;
    assert_eq!(body["code"], "illegal_transition");
    assert_eq!(
        body["allowed"],
        json!(["approve", "reject", "cancel"]),
        "{body}"
    );
    act(&app, &evm, &order, "approve", json!({})).await;
    let body = problem(act(&app, &manager, &order, "cancel", json!({})).await, 409).await;
    assert_eq!(body["allowed"], json!(["allocate"]), "{body}");

    let pending = place_order(&app, &manager, 1).await;
    let cancelled: Value = act(&app, &manager, &pending, "cancel", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    problem(act(&app, &evm, &pending, "approve", json!({})).await, 409).await;
    let events = events_about(&app, pending["id"].as_str().unwrap()).await;
    assert_eq!(events, ["manufacturer.dealer_order_placed.v1"]);
}

#[tokio::test]
async fn dealers_see_and_act_on_their_own_orders_only() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let order = place_order(&app, &manager_a, 1).await;
    let id = order["id"].as_str().unwrap();

    problem(
        app.get_as(&manager_b, &format!("/api/v1/dealer-orders/{id}"))
            .await,
        404,
    )
    .await;
    problem(
        act(&app, &manager_b, &order, "cancel", json!({})).await,
        404,
    )
    .await;
    let listed: Value = app
        .get_as(&manager_b, "/api/v1/dealer-orders")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["dealerId"] == contracts::seed::DEALER_B.to_string()));
    let other_dealer = contracts::seed::DEALER_A;
    problem(
        app.get_as(
            &manager_b,
            &format!("/api/v1/dealer-orders?dealerId={other_dealer}"),
        )
        .await,
        404,
    )
    .await;
    // Dealer staff do not order from the OEM; managers cannot approve their own orders.
    let staff = app.token(STAFF_A).await;
    problem(app.get_as(&staff, "/api/v1/dealer-orders").await, 403).await;
    problem(
        act(&app, &manager_a, &order, "approve", json!({})).await,
        403,
    )
    .await;
    // Still pending and untouched.
    let again: Value = app
        .get_as(&manager_a, &format!("/api/v1/dealer-orders/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["status"], "pending");
}

#[tokio::test]
async fn two_concurrent_allocations_of_one_vin_have_one_winner() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let evm = app.token(EVM).await;
    let first = place_order(&app, &manager_a, 1).await;
    let second = place_order(&app, &manager_b, 1).await;
    for order in [&first, &second] {
        assert_eq!(
            act(&app, &evm, order, "approve", json!({})).await.status(),
            200
        );
    }
    let (variant, colour) = super::aurora_white();
    let units: Value = app
        .get_as(&evm, &format!("/api/v1/oem-stock?variantId={variant}&colourId={colour}&status=in_warehouse&pageSize=1"))
        .await
        .json()
        .await
        .unwrap();
    let vin = units["items"][0]["vin"].as_str().unwrap().to_owned();
    let body = json!({ "vins": [vin] });
    let (a, b) = tokio::join!(
        act(&app, &evm, &first, "allocate", body.clone()),
        act(&app, &evm, &second, "allocate", body.clone())
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let unit: Value = app
        .get_as(&evm, &format!("/api/v1/oem-stock/{vin}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unit["status"], "allocated");
    let winners = [&first, &second]
        .iter()
        .filter(|o| unit["orderId"] == o["id"])
        .count();
    assert_eq!(winners, 1);
    let allocations = crate::common::outbox_events(&app, "manufacturer")
        .await
        .into_iter()
        .filter(|(name, _)| name == "manufacturer.vehicles_allocated.v1")
        .count();
    assert_eq!(allocations, 1);
}

#[tokio::test]
async fn approval_beyond_the_credit_limit_is_refused() {
    let app = spawn_seeded_app().await;
    let manager_b = app.token(MANAGER_B).await;
    let evm = app.token(EVM).await;
    // Dealer B's demo credit limit is 8,000,000.00; 200 Aurora Long Range are far beyond it.
    let order = place_order(&app, &manager_b, 200).await;
    let body = problem(act(&app, &evm, &order, "approve", json!({})).await, 409).await;
    assert_eq!(body["code"], "credit_limit_exceeded");
    let still: Value = app
        .get_as(
            &evm,
            &format!("/api/v1/dealer-orders/{}", order["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "pending");
    // A small order still fits.
    let small = place_order(&app, &manager_b, 1).await;
    assert_eq!(
        act(&app, &evm, &small, "approve", json!({})).await.status(),
        200
    );
}

#[tokio::test]
async fn invalid_vins_are_422_and_change_nothing() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;
    let order = place_order(&app, &manager, 1).await;
    act(&app, &evm, &order, "approve", json!({})).await;
    let body = problem(
        act(
            &app,
            &evm,
            &order,
            "allocate",
            json!({ "vins": ["1M8GDM9A1KP042788"] }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "vins[0]");
    let (variant, colour) = super::aurora_white();
    let body = problem(
        app.post_as(&evm, "/api/v1/oem-stock", &json!({ "variantId": variant, "colourId": colour, "vins": ["1M8GDM9AXKP042788", "SHORT", "1M8GDM9A1KP042788"] })).await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["vins[1]", "vins[2]"]);
    problem(
        app.get_as(&evm, "/api/v1/oem-stock/1M8GDM9AXKP042788")
            .await,
        404,
    )
    .await;
    // A valid one is accepted, and a second registration of it is a conflict.
    let ok = app
        .post_as(
            &evm,
            "/api/v1/oem-stock",
            &json!({ "variantId": variant, "colourId": colour, "vins": ["1m8gdm9axkp042788"] }),
        )
        .await;
    assert_eq!(ok.status(), 201);
    let again = app
        .post_as(
            &evm,
            "/api/v1/oem-stock",
            &json!({ "variantId": variant, "colourId": colour, "vins": ["1M8GDM9AXKP042788"] }),
        )
        .await;
    problem(again, 409).await;
}

#[tokio::test]
async fn a_dispute_is_resolved_by_the_oem_and_the_units_handed_over() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;
    let order = place_order(&app, &manager, 1).await;
    for action in ["approve", "allocate", "ship"] {
        assert_eq!(
            act(&app, &evm, &order, action, json!({})).await.status(),
            200,
            "{action}"
        );
    }
    problem(
        act(&app, &manager, &order, "dispute", json!({ "reason": "" })).await,
        422,
    )
    .await;
    let disputed: Value = act(
        &app,
        &manager,
        &order,
        "dispute",
        json!({ "reason": "scratched door" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(disputed["status"], "disputed");
    assert_eq!(disputed["allowedActions"], json!(["resolve"]));
    let (_, announced) = crate::common::outbox_events(&app, "manufacturer")
        .await
        .into_iter()
        .find(|(name, payload)| {
            name == "manufacturer.dealer_order_disputed.v1" && payload["orderId"] == order["id"]
        })
        .expect("the dispute announced");
    assert_eq!(announced["reason"], "scratched door");
    assert_eq!(announced["dealerId"], order["dealerId"]);
    let resolved: Value = act(
        &app,
        &evm,
        &order,
        "resolve",
        json!({ "reason": "door repainted; credit note issued" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(resolved["status"], "resolved");
    let events = events_about(&app, order["id"].as_str().unwrap()).await;
    assert_eq!(
        events.last().map(String::as_str),
        Some("manufacturer.dealer_order_delivered.v1")
    );
}
