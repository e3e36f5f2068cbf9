use crate::common::{outbox_events, problem, spawn_seeded_app, MANAGER_A, MANAGER_B, STAFF_A};
use crate::{bad_vin, create_customer, demo_vin, open_time};
use chrono::Duration;
use contracts::seed as demo;
use serde_json::{json, Value};

fn booking(
    customer: &Value,
    start: chrono::DateTime<chrono::Utc>,
    minutes: i64,
    vin: Option<&str>,
) -> Value {
    json!({
        "branchId": demo::DEALER_A_MAIN_BRANCH,
        "customerId": customer["id"],
        "variantId": demo::VARIANT_AURORA_LONG_RANGE,
        "vin": vin,
        "startsAt": start,
        "endsAt": start + Duration::minutes(minutes),
    })
}

#[tokio::test]
async fn overlapping_bookings_raced_concurrently_only_one_wins() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let mut customers = Vec::new();
    for i in 0..6 {
        customers.push(
            create_customer(
                &app,
                &staff_a,
                &format!("Racer {i}"),
                &format!("+84 90 500 000{i}"),
                &format!("racer{i}@example.com"),
            )
            .await,
        );
    }
    let start = open_time(3, 2);
    // Six customers want the same demo car at overlapping times (02:00–03:00 … 02:30–03:30).
    let requests = customers.iter().enumerate().map(|(i, c)| {
        let offset = if i % 2 == 0 { 0 } else { 30 };
        let body = booking(c, start + Duration::minutes(offset), 60, None);
        let (app, token) = (&app, &staff_a);
        async move { app.post_as(token, "/api/v1/test-drives", &body).await }
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut won = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => won += 1,
            409 => assert_eq!(problem(response, 409).await["code"], "slot_taken"),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won, 1);
    let drives: Value = app
        .get_as(&staff_a, "/api/v1/test-drives?status=scheduled")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drives["total"], 1);

    // The same customer cannot be in two cars at once either.
    let winner = &drives["items"][0];
    let customer = customers
        .iter()
        .find(|c| c["id"] == winner["customerId"])
        .unwrap();
    let mut other_car = booking(customer, start, 60, None);
    other_car["variantId"] = json!(demo::VARIANT_TERRA_MAX);
    assert_eq!(
        problem(
            app.post_as(&staff_a, "/api/v1/test-drives", &other_car)
                .await,
            409
        )
        .await["code"],
        "slot_taken"
    );
    // A specific demo VIN is a vehicle of its own.
    let vin = demo_vin();
    let vin_drive = booking(&customers[5], start, 60, Some(&vin));
    let vin_status = app
        .post_as(&staff_a, "/api/v1/test-drives", &vin_drive)
        .await
        .status();
    let winner_is_5 = customers[5]["id"] == winner["customerId"];
    assert_eq!(vin_status, if winner_is_5 { 409 } else { 201 });
}

#[tokio::test]
async fn slots_hours_lifecycle_and_feedback() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let customer = create_customer(
        &app,
        &staff_a,
        "Khuc Van Tai",
        "+84 90 600 0001",
        "tai@example.com",
    )
    .await;
    let start = open_time(4, 3);
    let created = app
        .post_as(
            &staff_a,
            "/api/v1/test-drives",
            &booking(&customer, start, 90, None),
        )
        .await;
    assert_eq!(created.status(), 201);
    let drive: Value = created.json().await.unwrap();
    let id = drive["id"].as_str().unwrap();

    // The available slots of that day: 20 half hours (08:00–18:00 local), three of them taken.
    let date = (start + Duration::hours(7)).date_naive();
    let slots: Value = app
        .get_as(
            &staff_a,
            &format!(
                "/api/v1/test-drives/slots?branchId={}&variantId={}&date={date}",
                demo::DEALER_A_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let slots = slots["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 20);
    assert_eq!(slots.iter().filter(|s| s["available"] == false).count(), 3);

    // Outside opening hours, misaligned, in the past, unknown variant, bad VIN: 422.
    let mut night = booking(&customer, open_time(5, 15), 60, None);
    for bad in [
        night.clone(),
        booking(&customer, start + Duration::minutes(10), 60, None),
        booking(&customer, open_time(-2, 3), 60, None),
        {
            night["variantId"] = json!(uuid::Uuid::now_v7());
            night["startsAt"] = json!(open_time(5, 3));
            night["endsAt"] = json!(open_time(5, 4));
            night.clone()
        },
        booking(&customer, open_time(5, 3), 60, Some(&bad_vin())),
    ] {
        problem(
            app.post_as(&staff_a, "/api/v1/test-drives", &bad).await,
            422,
        )
        .await;
    }
    // Closing the branch on that weekday (managers only, own branch only).
    let hours_path = format!(
        "/api/v1/test-drives/branches/{}/hours",
        demo::DEALER_A_MAIN_BRANCH
    );
    let hours: Value = app
        .get_as(&staff_a, &hours_path)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hours["dealerId"], demo::DEALER_A.to_string());
    let mut week = hours["hours"].clone();
    let weekday = (open_time(6, 3) + Duration::hours(7))
        .date_naive()
        .format("%u")
        .to_string();
    let index: usize = weekday.parse::<usize>().unwrap() - 1;
    week["days"][index] = Value::Null;
    problem(
        app.put_as(&staff_a, &hours_path, &json!({ "hours": week }))
            .await,
        403,
    )
    .await;
    problem(
        app.put_as(&manager_b, &hours_path, &json!({ "hours": week }))
            .await,
        404,
    )
    .await;
    assert_eq!(
        app.put_as(&manager_a, &hours_path, &json!({ "hours": week }))
            .await
            .status(),
        200
    );
    problem(
        app.post_as(
            &staff_a,
            "/api/v1/test-drives",
            &booking(&customer, open_time(6, 3), 60, None),
        )
        .await,
        422,
    )
    .await;

    // Lifecycle: complete before confirming → 409 naming what is allowed.
    let path = format!("/api/v1/test-drives/{id}");
    let early = problem(
        app.post_as(&staff_a, &format!("{path}/complete"), &json!({}))
            .await,
        409,
    )
    .await;
    assert_eq!(early["allowed"], json!(["confirm", "cancel"]));
    problem(
        app.post_as(
            &staff_a,
            &format!("{path}/feedback"),
            &json!({ "rating": 5 }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        app.post_as(&staff_a, &format!("{path}/confirm"), &json!({}))
            .await
            .status(),
        200
    );
    let done: Value = app
        .post_as(&staff_a, &format!("{path}/complete"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["status"], "completed");
    problem(
        app.post_as(&staff_a, &format!("{path}/cancel"), &json!({}))
            .await,
        409,
    )
    .await;
    problem(
        app.post_as(
            &staff_a,
            &format!("{path}/feedback"),
            &json!({ "rating": 6 }),
        )
        .await,
        422,
    )
    .await;
    let rated: Value = app
        .post_as(
            &staff_a,
            &format!("{path}/feedback"),
            &json!({ "rating": 4, "comment": "smooth" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rated["rating"], 4);
    problem(
        app.post_as(
            &staff_a,
            &format!("{path}/feedback"),
            &json!({ "rating": 1 }),
        )
        .await,
        409,
    )
    .await;
    problem(app.get_as(&manager_b, &path).await, 404).await;
    problem(
        app.post_as(&manager_b, &format!("{path}/confirm"), &json!({}))
            .await,
        404,
    )
    .await;

    let names: Vec<String> = outbox_events(&app, "customer")
        .await
        .into_iter()
        .filter(|(_, p)| p["testDriveId"] == drive["id"])
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "customer.test_drive_scheduled.v1",
            "customer.test_drive_completed.v1"
        ]
    );
}

#[tokio::test]
async fn cancelling_frees_the_time() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let one = create_customer(
        &app,
        &staff_a,
        "Lam Van One",
        "+84 90 700 0001",
        "one@example.com",
    )
    .await;
    let two = create_customer(
        &app,
        &staff_a,
        "Lam Van Two",
        "+84 90 700 0002",
        "two@example.com",
    )
    .await;
    let start = open_time(7, 4);
    let first: Value = app
        .post_as(
            &staff_a,
            "/api/v1/test-drives",
            &booking(&one, start, 60, None),
        )
        .await
        .json()
        .await
        .unwrap();
    problem(
        app.post_as(
            &staff_a,
            "/api/v1/test-drives",
            &booking(&two, start, 60, None),
        )
        .await,
        409,
    )
    .await;
    let cancelled: Value = app
        .post_as(
            &staff_a,
            &format!(
                "/api/v1/test-drives/{}/cancel",
                first["id"].as_str().unwrap()
            ),
            &json!({ "reason": "rain" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    // Announced (notification drops its reminder), without the free-text reason.
    let (_, announced) = outbox_events(&app, "customer")
        .await
        .into_iter()
        .find(|(name, _)| name == "customer.test_drive_cancelled.v1")
        .expect("the cancellation announced");
    assert_eq!(announced["testDriveId"], first["id"]);
    assert!(announced.get("reason").is_none(), "{announced}");
    assert_eq!(
        app.post_as(
            &staff_a,
            "/api/v1/test-drives",
            &booking(&two, start, 60, None)
        )
        .await
        .status(),
        201
    );
}

#[tokio::test]
async fn drives_are_booked_only_at_branches_the_dealer_opened() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let customer = create_customer(
        &app,
        &manager_a,
        "Branch Visitor",
        "+84 90 710 0001",
        "visitor@example.com",
    )
    .await;
    let mut elsewhere = booking(&customer, open_time(3, 4), 60, None);
    elsewhere["branchId"] = json!(uuid::Uuid::now_v7());
    problem(
        app.post_as(&manager_a, "/api/v1/test-drives", &elsewhere)
            .await,
        422,
    )
    .await;
    // Dealer B's branch is not dealer A's to book, nor to set hours for.
    let mut at_b = booking(&customer, open_time(3, 4), 60, None);
    at_b["branchId"] = json!(demo::DEALER_B_MAIN_BRANCH);
    problem(
        app.post_as(&manager_a, "/api/v1/test-drives", &at_b).await,
        422,
    )
    .await;

    // A branch the dealer opens becomes bookable (default hours) once the event arrives.
    let branch: Value = app
        .post_as(
            &manager_a,
            &format!("/api/v1/dealers/{}/branches", demo::DEALER_A),
            &json!({ "name": "Airport", "city": "HCMC", "address": "Terminal 2" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let hours_path = format!(
        "/api/v1/test-drives/branches/{}/hours",
        branch["id"].as_str().unwrap()
    );
    let hours: Value = crate::eventually("the customer module to learn of the branch", || async {
        let response = app.get_as(&manager_a, &hours_path).await;
        if response.status() != 200 {
            return None;
        }
        response.json::<Value>().await.ok()
    })
    .await;
    assert_eq!(hours["dealerId"], demo::DEALER_A.to_string());
    problem(app.get_as(&manager_b, &hours_path).await, 404).await;
    problem(
        app.put_as(&manager_b, &hours_path, &json!({ "hours": hours["hours"] }))
            .await,
        404,
    )
    .await;
    // Default hours: 08:00–18:00 UTC, Monday to Saturday.
    let mut there = booking(&customer, open_time(3, 9), 60, None);
    there["branchId"] = branch["id"].clone();
    assert_eq!(
        app.post_as(&manager_a, "/api/v1/test-drives", &there)
            .await
            .status(),
        201
    );
}
