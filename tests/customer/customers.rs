use crate::common::{problem, spawn_seeded_app, MANAGER_A, MANAGER_B, STAFF_A};
use crate::create_customer;
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn a_duplicate_phone_or_email_within_a_dealer_is_refused_with_the_existing_id() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let first = create_customer(
        &app,
        &staff_a,
        "Dang Thi Lan",
        "+84 91 555 0101",
        "Lan.Dang@Example.com",
    )
    .await;
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["status"], "active");

    // The same phone in another notation, and the same email in other case, are duplicates.
    for (phone, email) in [
        ("0084-91-555-0101", "other@example.com"),
        ("+84 99 999 9999", "  lan.dang@EXAMPLE.com "),
    ] {
        let response = app
            .post_as(&staff_a, "/api/v1/customers", &json!({ "kind": "individual", "fullName": "Someone", "phone": phone, "email": email }))
            .await;
        let body = problem(response, 409).await;
        assert_eq!(body["code"], "duplicate");
        assert_eq!(body["existingId"], id, "{body}");
    }
    // Another dealer may have the same person as its own customer.
    create_customer(
        &app,
        &manager_b,
        "Dang Thi Lan",
        "+84 91 555 0101",
        "lan.dang@example.com",
    )
    .await;

    // Two requests racing to create the same person: one customer, one 409 naming it.
    let body =
        json!({ "kind": "individual", "fullName": "Race Person", "phone": "+84 93 000 1234" });
    let (a, b) = tokio::join!(
        app.post_as(&staff_a, "/api/v1/customers", &body),
        app.post_as(&staff_a, "/api/v1/customers", &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let found: Value = app
        .get_as(&staff_a, "/api/v1/customers?q=%2B84%2093%20000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test]
async fn bad_input_is_a_422_that_changes_nothing() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let before: Value = app
        .get_as(&staff_a, "/api/v1/customers")
        .await
        .json()
        .await
        .unwrap();
    for body in [
        json!({ "kind": "individual", "fullName": "No Contact" }),
        json!({ "kind": "individual", "fullName": "Bad Phone", "phone": "call me" }),
        json!({ "kind": "individual", "fullName": "Bad Email", "email": "nobody" }),
        json!({ "kind": "corporate", "fullName": "No Company", "phone": "+84 90 000 0001" }),
        json!({ "kind": "alien", "fullName": "X", "phone": "+84 90 000 0002" }),
        json!({ "kind": "individual", "fullName": "", "phone": "+84 90 000 0003" }),
    ] {
        let response = app.post_as(&staff_a, "/api/v1/customers", &body).await;
        problem(response, 422).await;
    }
    let after: Value = app
        .get_as(&staff_a, "/api/v1/customers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["total"], after["total"]);
}

#[tokio::test]
async fn search_finds_by_the_start_of_name_phone_or_email_within_the_dealer() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    create_customer(
        &app,
        &manager_a,
        "Quach Van Long",
        "+84 97 111 2233",
        "qvl@corp.example.com",
    )
    .await;
    create_customer(
        &app,
        &manager_a,
        "Quang Thi Mai",
        "+84 97 111 9999",
        "mai@example.com",
    )
    .await;
    create_customer(
        &app,
        &manager_b,
        "Quach Other Dealer",
        "+84 97 111 2234",
        "q2@example.com",
    )
    .await;
    let search = |q: &str| {
        let path = format!("/api/v1/customers?q={q}&sort=name");
        let app = &app;
        let token = manager_a.clone();
        async move {
            let page: Value = app.get_as(&token, &path).await.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["fullName"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("quach").await, ["Quach Van Long"]);
    assert_eq!(search("QUA").await, ["Quach Van Long", "Quang Thi Mai"]);
    assert_eq!(search("84971112").await, ["Quach Van Long"]);
    assert_eq!(
        search("%2B84%2097%20111").await,
        ["Quach Van Long", "Quang Thi Mai"]
    );
    assert_eq!(search("qvl%40corp").await, ["Quach Van Long"]);
    assert!(search("zzz").await.is_empty());
    // Wildcards in the text are matched literally.
    assert!(search("%25").await.is_empty());
    assert!(search("_").await.is_empty());
}

#[tokio::test]
async fn updates_are_optimistic_and_recheck_duplicates() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let one = create_customer(
        &app,
        &staff_a,
        "Ho Van Nam",
        "+84 90 200 0001",
        "nam@example.com",
    )
    .await;
    create_customer(
        &app,
        &staff_a,
        "Ho Van Bao",
        "+84 90 200 0002",
        "bao@example.com",
    )
    .await;
    let path = format!("/api/v1/customers/{}", one["id"].as_str().unwrap());
    let updated: Value = app
        .patch_as(
            &staff_a,
            &path,
            &json!({ "consentSms": true, "address": "12 Le Loi", "version": 1 }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["consentSms"], true);
    assert_eq!(updated["version"], 2);
    let stale = app
        .patch_as(&staff_a, &path, &json!({ "notes": "x", "version": 1 }))
        .await;
    assert_eq!(problem(stale, 409).await["code"], "stale_version");
    let taken = app
        .patch_as(
            &staff_a,
            &path,
            &json!({ "email": "BAO@example.com", "version": 2 }),
        )
        .await;
    assert_eq!(problem(taken, 409).await["code"], "duplicate");
}

#[tokio::test]
async fn another_dealer_gets_404_for_every_customer_endpoint() {
    let app = spawn_seeded_app().await;
    let manager_b = app.token(MANAGER_B).await;
    let customer = demo::DEMO_CUSTOMERS[0].id; // dealer A's
    let a = demo::DEALER_A;
    for path in [
        format!("/api/v1/customers/{customer}"),
        format!("/api/v1/customers/{customer}/timeline"),
        format!("/api/v1/customers/{customer}/export"),
        format!("/api/v1/customers?dealerId={a}"),
        format!("/api/v1/leads?dealerId={a}"),
        format!("/api/v1/test-drives?dealerId={a}"),
        format!("/api/v1/feedback?dealerId={a}"),
        format!(
            "/api/v1/test-drives/branches/{}/hours",
            demo::DEALER_A_MAIN_BRANCH
        ),
    ] {
        let body = problem(app.get_as(&manager_b, &path).await, 404).await;
        assert!(
            body.get("items").is_none() && body.get("fullName").is_none(),
            "{path}: {body}"
        );
    }
    let writes = [
        (format!("/api/v1/customers/{customer}/erase"), json!({})),
        (
            "/api/v1/leads".to_owned(),
            json!({ "customerId": customer, "source": "web" }),
        ),
        (
            "/api/v1/feedback".to_owned(),
            json!({ "customerId": customer, "kind": "complaint", "severity": "low", "channel": "web", "subject": "x" }),
        ),
    ];
    for (path, body) in writes {
        let status = app
            .post_as(&manager_b, &path, &body)
            .await
            .status()
            .as_u16();
        assert!(status == 404 || status == 422, "{path}: {status}");
    }
    let patch = app
        .patch_as(
            &manager_b,
            &format!("/api/v1/customers/{customer}"),
            &json!({ "notes": "spy", "version": 1 }),
        )
        .await;
    problem(patch, 404).await;
    // Dealer B's list holds only dealer B's customers.
    let page: Value = app
        .get_as(&manager_b, "/api/v1/customers?pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["dealerId"] == demo::DEALER_B.to_string()));
    assert_eq!(page["total"], 2);
}

#[tokio::test]
async fn staff_see_the_customers_assigned_to_them_and_the_oem_sees_none() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_a = app.token(MANAGER_A).await;
    let evm = app.token(crate::common::EVM).await;
    let staff_id = demo::DEMO_USER_IDS[3];
    let managers = create_customer(
        &app,
        &manager_a,
        "Owner Manager",
        "+84 90 900 0001",
        "om@example.com",
    )
    .await;
    let path = format!("/api/v1/customers/{}", managers["id"].as_str().unwrap());
    problem(app.get_as(&staff_a, &path).await, 404).await;
    let lead = app
        .post_as(
            &staff_a,
            "/api/v1/leads",
            &json!({ "customerId": managers["id"], "source": "web" }),
        )
        .await;
    problem(lead, 422).await;
    let mine: Value = app
        .get_as(&staff_a, "/api/v1/customers?pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ownerId"] == staff_id.to_string()),
        "{mine}"
    );
    // Staff cannot hand a customer to someone else; the manager can.
    let handed = app
        .post_as(&staff_a, "/api/v1/customers", &json!({ "kind": "individual", "fullName": "X", "phone": "+84 90 900 0002", "ownerId": uuid::Uuid::now_v7() }))
        .await;
    problem(handed, 403).await;
    let reassigned = app
        .patch_as(
            &manager_a,
            &path,
            &json!({ "ownerId": staff_id, "version": 1 }),
        )
        .await;
    assert_eq!(reassigned.status(), 200);
    assert_eq!(app.get_as(&staff_a, &path).await.status(), 200);

    // The OEM reads customers only in aggregate (reports), never one by one.
    for path in [
        path.as_str(),
        "/api/v1/customers",
        "/api/v1/leads",
        "/api/v1/test-drives",
        "/api/v1/feedback",
    ] {
        problem(app.get_as(&evm, path).await, 403).await;
    }
}
