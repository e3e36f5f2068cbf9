use crate::common::{outbox_events, problem, spawn_seeded_app, MANAGER_A, STAFF_A};
use crate::{create_customer, eventually, publish_as_module};
use contracts::{events::dealer as dealer_events, seed as demo, Money};
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn leads_move_forward_only_lost_needs_a_reason_and_staff_see_their_own() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_a = app.token(MANAGER_A).await;
    let customer = create_customer(
        &app,
        &staff_a,
        "Mac Van Phuc",
        "+84 90 300 0001",
        "phuc@example.com",
    )
    .await;
    let lead: Value = app
        .post_as(&staff_a, "/api/v1/leads", &json!({ "customerId": customer["id"], "source": "web", "variantId": demo::VARIANT_TERRA_MAX }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lead["stage"], "new");
    let stage = format!("/api/v1/leads/{}/stage", lead["id"].as_str().unwrap());
    let moved: Value = app
        .post_as(&staff_a, &stage, &json!({ "stage": "qualified" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["stage"], "qualified");
    assert_eq!(moved["history"].as_array().unwrap().len(), 2);

    let back = problem(
        app.post_as(&staff_a, &stage, &json!({ "stage": "contacted" }))
            .await,
        409,
    )
    .await;
    assert_eq!(back["code"], "illegal_transition");
    assert_eq!(
        back["allowed"],
        json!(["test_drive", "negotiation", "won", "lost"])
    );
    problem(
        app.post_as(&staff_a, &stage, &json!({ "stage": "lost" }))
            .await,
        422,
    )
    .await;
    problem(
        app.post_as(&staff_a, &stage, &json!({ "stage": "sold" }))
            .await,
        422,
    )
    .await;
    let lost: Value = app
        .post_as(
            &staff_a,
            &stage,
            &json!({ "stage": "lost", "reason": "budget cut" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lost["lostReason"], "budget cut");
    assert_eq!(lost["allowedStages"], json!([]));
    problem(
        app.post_as(&staff_a, &stage, &json!({ "stage": "won" }))
            .await,
        409,
    )
    .await;

    // A lead the manager owns is invisible to the salesperson, visible to the manager.
    let managers: Value = app
        .post_as(
            &manager_a,
            "/api/v1/leads",
            &json!({ "customerId": customer["id"], "source": "phone" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/leads/{}", managers["id"].as_str().unwrap());
    problem(app.get_as(&staff_a, &path).await, 404).await;
    assert_eq!(app.get_as(&manager_a, &path).await.status(), 200);
    let mine: Value = app
        .get_as(&staff_a, "/api/v1/leads?pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["ownerId"] == lead["ownerId"]));
    // Only a manager hands a lead to someone else.
    let handed = app
        .post_as(
            &staff_a,
            "/api/v1/leads",
            &json!({ "customerId": customer["id"], "source": "web", "ownerId": Uuid::now_v7() }),
        )
        .await;
    problem(handed, 403).await;

    let names: Vec<String> = outbox_events(&app, "customer")
        .await
        .into_iter()
        .filter(|(_, p)| p["leadId"] == lead["id"])
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "customer.lead_created.v1",
            "customer.lead_stage_changed.v1",
            "customer.lead_stage_changed.v1"
        ]
    );
}

#[tokio::test]
async fn a_delivery_wins_the_lead_and_dealer_events_fill_the_timeline() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let customer = create_customer(
        &app,
        &staff_a,
        "Ta Quoc Viet",
        "+84 90 400 0001",
        "viet@example.com",
    )
    .await;
    let customer_id: Uuid = customer["id"].as_str().unwrap().parse().unwrap();
    let lead: Value = app
        .post_as(
            &staff_a,
            "/api/v1/leads",
            &json!({ "customerId": customer_id, "source": "walk_in" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let lead_path = format!("/api/v1/leads/{}", lead["id"].as_str().unwrap());
    app.post_as(
        &staff_a,
        &format!("{lead_path}/stage"),
        &json!({ "stage": "negotiation" }),
    )
    .await;

    // The dealer module sends a quotation and delivers the car (its events, through its outbox).
    let staff_id = demo::DEMO_USER_IDS[3];
    publish_as_module(
        &app,
        &dealer_events::QuotationSent {
            quotation_id: Uuid::now_v7(),
            quotation_number: "QT-TEST-1".into(),
            dealer_id: demo::DEALER_A,
            branch_id: None,
            customer_id,
            staff_id,
            variant_id: demo::VARIANT_AURORA_LONG_RANGE,
            colour_id: demo::COLOUR_AURORA_WHITE,
            total: Money(5_123_450),
            valid_until: chrono::Utc::now().date_naive(),
        },
    )
    .await;
    publish_as_module(
        &app,
        &dealer_events::VehicleDelivered {
            order_id: Uuid::now_v7(),
            order_number: "SO-TEST-1".into(),
            dealer_id: demo::DEALER_A,
            branch_id: None,
            customer_id,
            staff_id,
            vin: "5YJ3E1EA7KF317000".into(),
            variant_id: demo::VARIANT_AURORA_LONG_RANGE,
            colour_id: demo::COLOUR_AURORA_WHITE,
            total: Money(5_123_450),
            delivered_at: chrono::Utc::now(),
            region: "South".into(),
            model_id: None,
            list_price: Money(5_500_000),
            discount: Money(842_318),
            tax: Money(465_768),
            cost: Money(4_100_000),
            promotions: vec![],
            received_at: None,
        },
    )
    .await;

    let won: Value = eventually("the lead to be won", || async {
        let lead: Value = app.get_as(&staff_a, &lead_path).await.json().await.ok()?;
        (lead["stage"] == "won").then_some(lead)
    })
    .await;
    let last = won["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reason"], "vehicle delivered (order SO-TEST-1)");
    assert!(last["changedBy"].is_null());

    let timeline: Value = eventually("the timeline to show the delivery and the win", || async {
        let page: Value = app
            .get_as(
                &staff_a,
                &format!("/api/v1/customers/{customer_id}/timeline"),
            )
            .await
            .json()
            .await
            .ok()?;
        let kinds: Vec<&str> = page["items"]
            .as_array()?
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        let done = kinds.contains(&"vehicle_delivered")
            && kinds.iter().filter(|k| **k == "lead_stage_changed").count() == 2;
        done.then_some(page)
    })
    .await;
    let items = timeline["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["lead_created", "quotation_sent", "vehicle_delivered"] {
        assert_eq!(kinds.iter().filter(|k| **k == kind).count(), 1, "{kinds:?}");
    }
    let quotation = items
        .iter()
        .find(|e| e["kind"] == "quotation_sent")
        .unwrap();
    assert_eq!(
        quotation["summary"],
        "Quotation QT-TEST-1 sent, total 51234.50"
    );
    // Newest first. Compared as instants: a time on a whole second is written without a fraction,
    // so the strings alone do not sort.
    let times: Vec<chrono::DateTime<chrono::Utc>> = items
        .iter()
        .map(|e| e["occurredAt"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}
