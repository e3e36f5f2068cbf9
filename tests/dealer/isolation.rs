use crate::common::{problem, spawn_seeded_app, MANAGER_A, MANAGER_B, STAFF_A};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn a_dealer_token_gets_404_for_every_resource_of_another_dealer() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let a = demo::DEALER_A;
    // Dealer A's documents: a quotation and an order.
    let quotation: Value = app
        .post_as(&manager_a, "/api/v1/quotations", &json!({ "customerId": demo::DEMO_CUSTOMERS[0].id, "variantId": demo::VARIANT_AURORA_LONG_RANGE, "colourId": demo::COLOUR_AURORA_WHITE }))
        .await
        .json()
        .await
        .unwrap();
    let q = quotation["id"].as_str().unwrap();
    let order: Value = app
        .post_as(&manager_a, "/api/v1/sales-orders", &json!({ "customerId": demo::DEMO_CUSTOMERS[1].id, "variantId": demo::VARIANT_AURORA_LONG_RANGE, "colourId": demo::COLOUR_AURORA_WHITE, "paymentPlan": "full" }))
        .await
        .json()
        .await
        .unwrap();
    let o = order["id"].as_str().unwrap();

    let reads = [
        format!("/api/v1/dealers/{a}"),
        format!("/api/v1/dealers/{a}/branches"),
        format!("/api/v1/dealers/{a}/staff"),
        format!("/api/v1/dealers/{a}/inventory"),
        format!("/api/v1/dealers/{a}/targets"),
        format!("/api/v1/dealers/{a}/promotions"),
        format!("/api/v1/dealers/{a}/summary"),
        format!("/api/v1/quotations/{q}"),
        format!("/api/v1/sales-orders/{o}"),
        format!("/api/v1/sales-orders/{o}/payments"),
        format!("/api/v1/quotations?dealerId={a}"),
        format!("/api/v1/sales-orders?dealerId={a}"),
    ];
    for path in &reads {
        let mut body = problem(app.get_as(&manager_b, path).await, 404).await;
        // The path the caller sent is echoed as `instance`; nothing else may name dealer A.
        body.as_object_mut().unwrap().remove("instance");
        assert!(
            body.get("items").is_none() && body.get("id").is_none(),
            "{path}: {body}"
        );
        assert!(
            !body.to_string().contains(&a.to_string()),
            "{path} leaks: {body}"
        );
    }
    let now = chrono::Utc::now();
    let writes = [
        (
            format!("/api/v1/dealers/{a}/branches"),
            json!({ "name": "Spy", "city": "X", "address": "Y" }),
        ),
        (
            format!("/api/v1/dealers/{a}/promotions"),
            json!({ "name": "P", "kind": "percent", "value": 100, "startsAt": now, "endsAt": now + chrono::Duration::days(1) }),
        ),
        (format!("/api/v1/quotations/{q}/send"), json!({})),
        (format!("/api/v1/quotations/{q}/accept"), json!({})),
        (format!("/api/v1/quotations/{q}/reject"), json!({})),
        (
            format!("/api/v1/quotations/{q}/convert"),
            json!({ "paymentPlan": "full" }),
        ),
        (format!("/api/v1/sales-orders/{o}/approve"), json!({})),
        (
            format!("/api/v1/sales-orders/{o}/cancel"),
            json!({ "reason": "x" }),
        ),
        (format!("/api/v1/sales-orders/{o}/contract"), json!({})),
        (format!("/api/v1/sales-orders/{o}/sign"), json!({})),
        (
            format!("/api/v1/sales-orders/{o}/payments"),
            json!({ "amount": 1, "method": "cash", "reference": "x" }),
        ),
        (
            format!("/api/v1/sales-orders/{o}/delivery"),
            json!({ "scheduledAt": now }),
        ),
        (format!("/api/v1/sales-orders/{o}/deliver"), json!({})),
    ];
    for (path, body) in &writes {
        problem(app.post_as(&manager_b, path, body).await, 404).await;
    }
    // Lists hold only the caller's dealer.
    let listed: Value = app
        .get_as(&manager_b, "/api/v1/sales-orders")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 0);
    let dealers: Value = app
        .get_as(&manager_b, "/api/v1/dealers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dealers["total"], 1);
    // Nothing changed.
    let still: Value = app
        .get_as(&manager_a, &format!("/api/v1/quotations/{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "draft");

    // Dealer staff see only their own documents.
    let staff = app.token(STAFF_A).await;
    problem(
        app.get_as(&staff, &format!("/api/v1/quotations/{q}")).await,
        404,
    )
    .await;
    let mine: Value = app
        .get_as(&staff, "/api/v1/sales-orders")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 0);
}
