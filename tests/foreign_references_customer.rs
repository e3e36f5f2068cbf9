//! Every id a customer-module write names is checked against the caller's dealer: as dealer A,
//! dealer B's ids and ids nobody knows are refused with a 422 naming the field (never a 201,
//! never a 5xx) and change nothing; a test-drive slot query never shows B's schedule; the
//! directories behind the checks follow the auth, manufacturer and dealer events; `q` on the
//! lists matches text with `%` and `_` taken literally. On whichever database the tests run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use common::{
    eventually, refused, spawn_seeded_app, total, TestApp, ADMIN, MANAGER_A, MANAGER_B, STAFF_A,
    STAFF_B,
};
use contracts::{
    events::manufacturer::{DealerOrderDelivered, VehicleUnit, VehiclesAllocated},
    seed as demo, IntegrationEvent, Money,
};
use serde_json::{json, Value};
use uuid::Uuid;

async fn json_of(response: reqwest::Response, status: u16, what: &str) -> Value {
    let actual = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(actual, status, "{what}: {body}");
    body
}

const LISTS: [&str; 4] = [
    "/api/v1/customers",
    "/api/v1/leads",
    "/api/v1/test-drives",
    "/api/v1/feedback",
];

/// The list totals both dealers' managers see.
async fn totals(app: &TestApp, tokens: &[&str]) -> Vec<u64> {
    let mut all = Vec::new();
    for token in tokens {
        for list in LISTS {
            all.push(total(app, token, list).await);
        }
    }
    all
}

/// `hour`:00 UTC a few days ahead on a day the demo branches are open (08:00–18:00 at UTC+7,
/// Monday to Saturday).
fn open_time(days_ahead: i64, hour: u32) -> DateTime<Utc> {
    let mut day = Utc::now().date_naive() + Duration::days(days_ahead);
    if day.weekday() == Weekday::Sun {
        day += Duration::days(1);
    }
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

fn demo_vin(dealer: Uuid, variant: Uuid) -> String {
    demo::demo_car(dealer, variant).unwrap().vin
}

/// A well-formed VIN no dealer has.
fn unknown_vin() -> String {
    contracts::Vin::with_check_digit("5YJ3E1EA0KF317000")
        .unwrap()
        .into_string()
}

fn booking(customer: &Value, start: DateTime<Utc>, vin: Option<&str>) -> Value {
    json!({
        "branchId": demo::DEALER_A_MAIN_BRANCH,
        "customerId": customer["id"],
        "variantId": demo::VARIANT_AURORA_LONG_RANGE,
        "vin": vin,
        "startsAt": start,
        "endsAt": start + Duration::minutes(60),
    })
}

fn with(body: &Value, field: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[field] = value;
    body
}

async fn new_customer(app: &TestApp, token: &str, name: &str, phone: &str) -> Value {
    let body = json!({ "kind": "individual", "fullName": name, "phone": phone });
    json_of(
        app.post_as(token, "/api/v1/customers", &body).await,
        201,
        name,
    )
    .await
}

fn slots_path(branch: Uuid, variant: Uuid, vin: &str, date: chrono::NaiveDate) -> String {
    format!("/api/v1/test-drives/slots?branchId={branch}&variantId={variant}&vin={vin}&date={date}")
}

#[tokio::test]
async fn every_reference_of_every_write_is_checked_against_the_callers_dealer() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let staff = app.token(STAFF_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let admin = app.token(ADMIN).await;
    let [_, _, manager_a_id, staff_a_id, manager_b_id, staff_b_id] = demo::DEMO_USER_IDS;
    let admin_id = demo::DEMO_USER_IDS[0];
    let customer_b = demo::DEMO_CUSTOMERS[4].id;

    let customer = new_customer(&app, &staff, "Referenced Person", "+84 90 700 0001").await;
    let case = json_of(
        app.post_as(
            &manager,
            "/api/v1/feedback",
            &json!({ "kind": "complaint", "severity": "low", "channel": "phone", "subject": "Base case" }),
        )
        .await,
        201,
        "a case to assign",
    )
    .await;
    let before = totals(&app, &[&manager, &manager_b]).await;

    // Whom records may go to: dealer B's people, someone unknown, a person of no dealer.
    let foreign_people = [manager_b_id, staff_b_id, Uuid::now_v7(), admin_id];
    // Which dealer and which customer: B's, or unknown.
    let foreign_dealers = [demo::DEALER_B, Uuid::now_v7()];
    let foreign_customers = [customer_b, Uuid::now_v7()];

    // POST /customers
    let new =
        json!({ "kind": "individual", "fullName": "Never Written", "phone": "+84 90 700 0099" });
    for person in foreign_people {
        let body = with(&new, "ownerId", json!(person));
        refused(
            app.post_as(&manager, "/api/v1/customers", &body).await,
            "ownerId",
            "customer owner",
        )
        .await;
    }
    for dealer in foreign_dealers {
        let body = with(&new, "dealerId", json!(dealer));
        refused(
            app.post_as(&manager, "/api/v1/customers", &body).await,
            "dealerId",
            "customer dealer",
        )
        .await;
    }
    let body = with(&new, "dealerId", json!(Uuid::now_v7()));
    refused(
        app.post_as(&admin, "/api/v1/customers", &body).await,
        "dealerId",
        "admin: unknown dealer",
    )
    .await;
    let mut admin_body = with(&new, "dealerId", json!(demo::DEALER_A));
    admin_body["ownerId"] = json!(staff_b_id);
    refused(
        app.post_as(&admin, "/api/v1/customers", &admin_body).await,
        "ownerId",
        "admin: B's owner for A",
    )
    .await;

    // PATCH /customers/{id}
    let customer_path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    for person in foreign_people {
        let body = json!({ "ownerId": person, "version": customer["version"] });
        refused(
            app.patch_as(&manager, &customer_path, &body).await,
            "ownerId",
            "customer handover",
        )
        .await;
    }

    // POST /leads
    let lead = json!({ "customerId": customer["id"], "source": "web", "variantId": demo::VARIANT_AURORA_STANDARD });
    for person in foreign_people {
        let body = with(&lead, "ownerId", json!(person));
        refused(
            app.post_as(&manager, "/api/v1/leads", &body).await,
            "ownerId",
            "lead owner",
        )
        .await;
    }
    for other in foreign_customers {
        let body = with(&lead, "customerId", json!(other));
        refused(
            app.post_as(&manager, "/api/v1/leads", &body).await,
            "customerId",
            "lead customer",
        )
        .await;
        refused(
            app.post_as(&staff, "/api/v1/leads", &body).await,
            "customerId",
            "staff: lead customer",
        )
        .await;
    }
    for dealer in foreign_dealers {
        let body = with(&lead, "dealerId", json!(dealer));
        refused(
            app.post_as(&manager, "/api/v1/leads", &body).await,
            "dealerId",
            "lead dealer",
        )
        .await;
    }
    refused(
        app.post_as(
            &manager,
            "/api/v1/leads",
            &with(&lead, "variantId", json!(Uuid::now_v7())),
        )
        .await,
        "variantId",
        "lead variant",
    )
    .await;

    // POST /test-drives
    let start = open_time(3, 2);
    let drive = booking(
        &customer,
        start,
        Some(&demo_vin(demo::DEALER_A, demo::VARIANT_AURORA_LONG_RANGE)),
    );
    let vin_b = demo_vin(demo::DEALER_B, demo::VARIANT_AURORA_LONG_RANGE);
    let in_transit_a = demo::demo_stock()
        .into_iter()
        .find(|u| {
            u.dealer_id == demo::DEALER_A
                && u.status == "in_transit"
                && u.variant_id == demo::VARIANT_AURORA_LONG_RANGE
        })
        .unwrap()
        .vin;
    let other_variant_a = demo_vin(demo::DEALER_A, demo::VARIANT_PULSE_CITY);
    for vin in [vin_b.clone(), unknown_vin(), in_transit_a, other_variant_a] {
        let body = with(&drive, "vin", json!(vin));
        refused(
            app.post_as(&staff, "/api/v1/test-drives", &body).await,
            "vin",
            &format!("drive vin {vin}"),
        )
        .await;
    }
    for branch in [demo::DEALER_B_MAIN_BRANCH, Uuid::now_v7()] {
        let body = with(&drive, "branchId", json!(branch));
        refused(
            app.post_as(&manager, "/api/v1/test-drives", &body).await,
            "branchId",
            "drive branch",
        )
        .await;
    }
    for other in foreign_customers {
        let body = with(&drive, "customerId", json!(other));
        refused(
            app.post_as(&manager, "/api/v1/test-drives", &body).await,
            "customerId",
            "drive customer",
        )
        .await;
    }
    for dealer in foreign_dealers {
        let body = with(&drive, "dealerId", json!(dealer));
        refused(
            app.post_as(&manager, "/api/v1/test-drives", &body).await,
            "dealerId",
            "drive dealer",
        )
        .await;
    }
    refused(
        app.post_as(
            &manager,
            "/api/v1/test-drives",
            &with(&drive, "variantId", json!(Uuid::now_v7())),
        )
        .await,
        "variantId",
        "drive variant",
    )
    .await;

    // The slots of dealer B's car: never shown to A, whichever branch A names.
    let date = (start + Duration::hours(7)).date_naive();
    refused(
        app.get_as(
            &staff,
            &slots_path(
                demo::DEALER_A_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE,
                &vin_b,
                date,
            ),
        )
        .await,
        "vin",
        "slots of B's car at A's branch",
    )
    .await;
    assert_eq!(
        app.get_as(
            &staff,
            &slots_path(
                demo::DEALER_B_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE,
                &vin_b,
                date
            )
        )
        .await
        .status(),
        404,
        "B's branch is not revealed"
    );

    // POST /feedback and /feedback/{id}/assign
    let complaint = json!({ "customerId": customer["id"], "kind": "complaint", "severity": "low", "channel": "phone", "subject": "Never filed" });
    for person in foreign_people {
        let body = with(&complaint, "assignedTo", json!(person));
        refused(
            app.post_as(&manager, "/api/v1/feedback", &body).await,
            "assignedTo",
            "case assignee",
        )
        .await;
        refused(
            app.post_as(&staff, "/api/v1/feedback", &body).await,
            "assignedTo",
            "staff: case assignee",
        )
        .await;
        let assign = format!("/api/v1/feedback/{}/assign", case["id"].as_str().unwrap());
        refused(
            app.post_as(&manager, &assign, &json!({ "assigneeId": person }))
                .await,
            "assigneeId",
            "case reassignment",
        )
        .await;
    }
    for other in foreign_customers {
        let body = with(&complaint, "customerId", json!(other));
        refused(
            app.post_as(&manager, "/api/v1/feedback", &body).await,
            "customerId",
            "case customer",
        )
        .await;
    }
    for dealer in foreign_dealers {
        let body = with(&complaint, "dealerId", json!(dealer));
        refused(
            app.post_as(&manager, "/api/v1/feedback", &body).await,
            "dealerId",
            "case dealer",
        )
        .await;
    }

    // Nothing was written anywhere, on either side.
    assert_eq!(totals(&app, &[&manager, &manager_b]).await, before);
    let unchanged: Value = app
        .get_as(&manager, &customer_path)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["ownerId"], staff_a_id.to_string());
    assert_eq!(unchanged["version"], customer["version"]);
    let case_now: Value = app
        .get_as(
            &manager,
            &format!("/api/v1/feedback/{}", case["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case_now["assignedTo"], case["assignedTo"]);
    // Dealer B's car is free all day, as B sees it.
    let slots: Value = app
        .get_as(
            &manager_b,
            &slots_path(
                demo::DEALER_B_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE,
                &vin_b,
                date,
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let slots = slots["slots"].as_array().unwrap();
    assert!(!slots.is_empty());
    assert!(slots.iter().all(|s| s["available"] == true), "{slots:?}");

    // The same writes with dealer A's own references go through.
    let mut ok_customer = with(&new, "ownerId", json!(staff_a_id));
    ok_customer["phone"] = json!("+84 90 700 0098");
    json_of(
        app.post_as(&manager, "/api/v1/customers", &ok_customer)
            .await,
        201,
        "own owner",
    )
    .await;
    let mut by_admin = with(&new, "dealerId", json!(demo::DEALER_A));
    by_admin["ownerId"] = json!(manager_a_id);
    by_admin["phone"] = json!("+84 90 700 0097");
    json_of(
        app.post_as(&admin, "/api/v1/customers", &by_admin).await,
        201,
        "admin for A",
    )
    .await;
    json_of(
        app.post_as(
            &manager,
            "/api/v1/leads",
            &with(&lead, "ownerId", json!(staff_a_id)),
        )
        .await,
        201,
        "own lead",
    )
    .await;
    json_of(
        app.post_as(&staff, "/api/v1/test-drives", &drive).await,
        201,
        "own demo car",
    )
    .await;
    let taken: Value = app
        .get_as(
            &staff,
            &slots_path(
                demo::DEALER_A_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE,
                drive["vin"].as_str().unwrap(),
                date,
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        taken["slots"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["available"] == false)
            .count(),
        2
    );
    json_of(
        app.post_as(
            &manager,
            "/api/v1/feedback",
            &with(&complaint, "assignedTo", json!(staff_a_id)),
        )
        .await,
        201,
        "own assignee",
    )
    .await;
    // Dealer B books its own car at the same time: A's booking does not block it.
    let b_customer = json!({ "id": customer_b });
    let mut b_drive = booking(&b_customer, start, Some(&vin_b));
    b_drive["branchId"] = json!(demo::DEALER_B_MAIN_BRANCH);
    let staff_b = app.token(STAFF_B).await;
    json_of(
        app.post_as(&staff_b, "/api/v1/test-drives", &b_drive).await,
        201,
        "B's own car",
    )
    .await;
}

#[tokio::test]
async fn the_directories_follow_the_events_of_auth_manufacturer_and_dealer() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let admin = app.token(ADMIN).await;
    let customer = new_customer(&app, &manager, "Event Person", "+84 90 710 0001").await;

    // A new salesperson of dealer A can be given customers once auth has announced them.
    let created = json_of(
        app.post_as(
            &manager,
            "/api/v1/users",
            &json!({ "email": "new.seller@dealer-a.evdms.dev", "name": "New Seller", "role": "dealer_staff",
                     "dealerId": demo::DEALER_A, "password": "Plenty-long-secret-1" }),
        )
        .await,
        201,
        "new salesperson",
    )
    .await;
    let seller = created["id"].as_str().unwrap().to_owned();
    let lead = json!({ "customerId": customer["id"], "source": "web", "ownerId": seller });
    eventually("the new salesperson is known", || async {
        let status = app.post_as(&manager, "/api/v1/leads", &lead).await.status();
        (status == 201).then_some(())
    })
    .await;
    // Once deactivated, no more.
    let deactivate = format!("/api/v1/users/{seller}/deactivate");
    assert!(app
        .post_as(&admin, &deactivate, &json!({}))
        .await
        .status()
        .is_success());
    eventually("the deactivation is known", || async {
        let response = app.post_as(&manager, "/api/v1/leads", &lead).await;
        (response.status() == 422).then_some(())
    })
    .await;
    refused(
        app.post_as(&manager, "/api/v1/leads", &lead).await,
        "ownerId",
        "deactivated owner",
    )
    .await;

    // A unit the OEM allocates to dealer A is A's, bookable once the dealer received it.
    let vin = contracts::Vin::with_check_digit("LVDA9DLR0TA000001")
        .unwrap()
        .into_string();
    let order_id = Uuid::now_v7();
    publish_as_module(
        &app,
        &VehiclesAllocated {
            order_id,
            dealer_id: demo::DEALER_A,
            units: vec![VehicleUnit {
                vin: vin.clone(),
                variant_id: demo::VARIANT_AURORA_LONG_RANGE,
                colour_id: demo::COLOUR_AURORA_WHITE,
                unit_price: Money(1_000_000),
            }],
        },
    )
    .await;
    let drive = booking(&customer, open_time(4, 3), Some(&vin));
    eventually("the allocation is known", || async {
        let response = app.post_as(&manager, "/api/v1/test-drives", &drive).await;
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (body["errors"][0]["message"].as_str()
            == Some("this vehicle has not arrived at the dealer yet"))
        .then_some(())
    })
    .await;
    publish_as_module(
        &app,
        &DealerOrderDelivered {
            order_id,
            dealer_id: demo::DEALER_A,
            vins: vec![vin.clone()],
            delivered_at: Utc::now(),
        },
    )
    .await;
    eventually("the receipt is known", || async {
        let status = app
            .post_as(&manager, "/api/v1/test-drives", &drive)
            .await
            .status();
        (status == 201).then_some(())
    })
    .await;
    // Dealer B cannot book it, nor see its schedule.
    let staff_b = app.token(STAFF_B).await;
    let b_customer = json!({ "id": demo::DEMO_CUSTOMERS[4].id });
    let mut b_drive = booking(&b_customer, open_time(5, 3), Some(&vin));
    b_drive["branchId"] = json!(demo::DEALER_B_MAIN_BRANCH);
    refused(
        app.post_as(&staff_b, "/api/v1/test-drives", &b_drive).await,
        "vin",
        "B books A's new car",
    )
    .await;
    let date = (open_time(4, 3) + Duration::hours(7)).date_naive();
    refused(
        app.get_as(
            &staff_b,
            &slots_path(
                demo::DEALER_B_MAIN_BRANCH,
                demo::VARIANT_AURORA_LONG_RANGE,
                &vin,
                date,
            ),
        )
        .await,
        "vin",
        "B reads A's new car's schedule",
    )
    .await;
}

/// Writes an event into its source module's outbox, as that module would.
async fn publish_as_module<E: IntegrationEvent>(app: &TestApp, event: &E) {
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish(&mut txn, event).await.unwrap();
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn the_demo_stock_the_customer_module_knows_is_the_dealers() {
    let app = spawn_seeded_app().await;
    for (email, dealer) in [(MANAGER_A, demo::DEALER_A), (MANAGER_B, demo::DEALER_B)] {
        let token = app.token(email).await;
        let page: Value = app
            .get_as(
                &token,
                &format!("/api/v1/dealers/{dealer}/inventory?status=demo&pageSize=100"),
            )
            .await
            .json()
            .await
            .unwrap();
        let mut listed: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["vin"].as_str().unwrap().to_owned())
            .collect();
        let mut known: Vec<String> = demo::demo_stock()
            .into_iter()
            .filter(|u| u.dealer_id == dealer && u.status == "demo")
            .map(|u| u.vin)
            .collect();
        listed.sort();
        known.sort();
        assert_eq!(listed, known, "{page}");
    }
}

/// The items' `field` of a list page.
async fn matches(app: &TestApp, token: &str, list: &str, q: &str, field: &str) -> Vec<String> {
    let q = q.replace('%', "%25").replace(' ', "%20");
    let response = app
        .get_as(token, &format!("{list}?q={q}&pageSize=100"))
        .await;
    let page = json_of(response, 200, list).await;
    let mut found: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn q_searches_leads_test_drives_and_feedback_with_like_metacharacters_literal() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let first = new_customer(&app, &manager, "Quynh Searchable", "+84 90 720 0001").await;
    let second = new_customer(&app, &manager, "Other Person", "+84 90 720 0002").await;

    for (customer, notes) in [
        (&first, "100% sure, wants 7_seats"),
        (&second, "100x sure, wants 7xseats"),
    ] {
        let body = json!({ "customerId": customer["id"], "source": "web", "notes": notes });
        json_of(
            app.post_as(&manager, "/api/v1/leads", &body).await,
            201,
            notes,
        )
        .await;
        let mut drive = booking(customer, open_time(3, 2), None);
        drive["notes"] = json!(notes);
        if customer == &second {
            drive["startsAt"] = json!(open_time(3, 4));
            drive["endsAt"] = json!(open_time(3, 5));
        }
        json_of(
            app.post_as(&manager, "/api/v1/test-drives", &drive).await,
            201,
            notes,
        )
        .await;
        let case = json!({ "customerId": customer["id"], "kind": "suggestion", "severity": "low", "channel": "email",
                           "subject": notes, "description": "Searchable DESCRIPTION" });
        json_of(
            app.post_as(&manager, "/api/v1/feedback", &case).await,
            201,
            notes,
        )
        .await;
    }
    let (first_id, second_id) = (
        first["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    );
    let only_first = vec![first_id.clone()];
    for list in ["/api/v1/leads", "/api/v1/test-drives", "/api/v1/feedback"] {
        // `%` and `_` match only themselves.
        assert_eq!(
            matches(&app, &manager, list, "100%", "customerId").await,
            only_first,
            "{list} %"
        );
        assert_eq!(
            matches(&app, &manager, list, "7_s", "customerId").await,
            only_first,
            "{list} _"
        );
        assert!(
            matches(&app, &manager, list, "%", "customerId")
                .await
                .contains(&first_id),
            "{list}"
        );
        assert!(
            !matches(&app, &manager, list, "%", "customerId")
                .await
                .contains(&second_id),
            "{list}"
        );
        assert!(
            matches(&app, &manager, list, "_", "customerId").await == only_first,
            "{list}"
        );
        // Case does not matter; plain text matches both; nothing matches nothing.
        let mut both = vec![first_id.clone(), second_id.clone()];
        both.sort();
        assert_eq!(
            matches(&app, &manager, list, "SURE", "customerId").await,
            both,
            "{list}"
        );
        assert!(matches(&app, &manager, list, "no such text", "customerId")
            .await
            .is_empty());
        // Another dealer's records are never found.
        assert!(
            matches(&app, &manager_b, list, "sure", "customerId")
                .await
                .is_empty(),
            "{list}"
        );
    }
    // Leads and drives are found by their customer's name too; cases by their description.
    for list in ["/api/v1/leads", "/api/v1/test-drives"] {
        assert_eq!(
            matches(&app, &manager, list, "quynh search", "customerId").await,
            only_first,
            "{list}"
        );
    }
    assert_eq!(
        matches(
            &app,
            &manager,
            "/api/v1/feedback",
            "searchable desc",
            "customerId"
        )
        .await
        .len(),
        2
    );
}
