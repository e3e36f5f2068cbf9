use crate::common::{outbox_events, problem, spawn_seeded_app, MANAGER_A, MANAGER_B, STAFF_A};
use crate::create_customer;
use serde_json::{json, Value};

#[tokio::test]
async fn complaints_go_new_in_progress_resolved_closed() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let customer = create_customer(
        &app,
        &staff_a,
        "Dinh Van Son",
        "+84 90 800 0001",
        "son@example.com",
    )
    .await;
    let body = json!({ "customerId": customer["id"], "kind": "complaint", "severity": "high", "channel": "phone", "subject": "Charging port sticks" });
    for (field, value) in [
        ("kind", "rant"),
        ("severity", "extreme"),
        ("channel", "pigeon"),
    ] {
        let mut bad = body.clone();
        bad[field] = json!(value);
        problem(app.post_as(&staff_a, "/api/v1/feedback", &bad).await, 422).await;
    }
    let case: Value = app
        .post_as(&staff_a, "/api/v1/feedback", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "new");
    let path = format!("/api/v1/feedback/{}", case["id"].as_str().unwrap());

    problem(
        app.post_as(&staff_a, &format!("{path}/close"), &json!({}))
            .await,
        409,
    )
    .await;
    let started: Value = app
        .post_as(&staff_a, &format!("{path}/start"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(started["status"], "in_progress");
    assert_eq!(
        started["assignedTo"], started["createdBy"],
        "whoever starts an unassigned case takes it"
    );
    problem(
        app.post_as(
            &staff_a,
            &format!("{path}/assign"),
            &json!({ "assigneeId": uuid::Uuid::now_v7() }),
        )
        .await,
        403,
    )
    .await;
    let assigned: Value = app
        .post_as(
            &manager_a,
            &format!("{path}/assign"),
            &json!({ "assigneeId": contracts::seed::DEMO_USER_IDS[2] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        assigned["assignedTo"],
        contracts::seed::DEMO_USER_IDS[2].to_string()
    );
    problem(
        app.post_as(&staff_a, &format!("{path}/resolve"), &json!({}))
            .await,
        422,
    )
    .await;
    let resolved: Value = app
        .post_as(
            &staff_a,
            &format!("{path}/resolve"),
            &json!({ "resolution": "Port replaced" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resolved["status"], "resolved");
    assert!(resolved["resolvedAt"].is_string());
    assert_eq!(
        app.post_as(&staff_a, &format!("{path}/close"), &json!({}))
            .await
            .status(),
        200
    );
    let closed = problem(
        app.post_as(&staff_a, &format!("{path}/reopen"), &json!({}))
            .await,
        409,
    )
    .await;
    assert_eq!(closed["allowed"], json!([]));

    problem(app.get_as(&manager_b, &path).await, 404).await;
    problem(
        app.post_as(&manager_b, &format!("{path}/start"), &json!({}))
            .await,
        404,
    )
    .await;
    let filed = outbox_events(&app, "customer")
        .await
        .into_iter()
        .filter(|(n, p)| n == "customer.complaint_filed.v1" && p["feedbackId"] == case["id"])
        .count();
    assert_eq!(filed, 1);
}
