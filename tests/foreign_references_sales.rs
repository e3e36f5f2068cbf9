//! Cross-dealer and unknown references on the sales writes (dealer module, user accounts), on
//! whichever database the tests run (SQLite, or Postgres with EVDMS_TEST_DATABASE_URL): as
//! dealer A's manager, every id a write refers to is swept with dealer B's ids and with random
//! ones; each is a 422 naming the field, never a 5xx or a 201, and nothing changes. Plus `q` on
//! the lists: honoured on /quotations, and LIKE metacharacters taken literally.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    eventually, refused, spawn_seeded_app, total, TestApp, ADMIN, MANAGER_A, MANAGER_B, STAFF_A,
};
use contracts::{seed as demo, Vin};
use serde_json::{json, Value};
use uuid::Uuid;

async fn json_of(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Everything a refused write could have changed.
#[derive(Debug, PartialEq)]
struct State {
    quotations: u64,
    sales_orders: u64,
    in_stock_a: u64,
    in_stock_b: u64,
    promotions_a: usize,
    users: u64,
    staff_a: Value,
}

struct Tokens {
    admin: String,
    manager_a: String,
    manager_b: String,
}

async fn state(app: &TestApp, t: &Tokens) -> State {
    let in_stock = |dealer: Uuid, token: &str| {
        let path = format!("/api/v1/dealers/{dealer}/inventory?status=in_stock");
        let token = token.to_owned();
        async move { total(app, &token, &path).await }
    };
    let promotions = json_of(
        app,
        &t.manager_a,
        &format!("/api/v1/dealers/{}/promotions", demo::DEALER_A),
    )
    .await;
    State {
        quotations: total(app, &t.manager_a, "/api/v1/quotations").await,
        sales_orders: total(app, &t.manager_a, "/api/v1/sales-orders").await,
        in_stock_a: in_stock(demo::DEALER_A, &t.manager_a).await,
        in_stock_b: in_stock(demo::DEALER_B, &t.manager_b).await,
        promotions_a: promotions.as_array().map(Vec::len).unwrap_or_default(),
        users: total(app, &t.admin, "/api/v1/users").await,
        staff_a: json_of(
            app,
            &t.admin,
            &format!("/api/v1/users/{}", demo::DEMO_USER_IDS[3]),
        )
        .await,
    }
}

async fn tokens(app: &TestApp) -> Tokens {
    Tokens {
        admin: app.token(ADMIN).await,
        manager_a: app.token(MANAGER_A).await,
        manager_b: app.token(MANAGER_B).await,
    }
}

/// Opens a branch of `dealer` as `token` and returns its id.
async fn open_branch(app: &TestApp, token: &str, dealer: Uuid, name: &str) -> Value {
    let response = app
        .post_as(
            token,
            &format!("/api/v1/dealers/{dealer}/branches"),
            &json!({ "name": name, "city": "Hanoi", "address": "1 Test Street" }),
        )
        .await;
    assert_eq!(response.status(), 201, "open {name}");
    let branch: Value = response.json().await.unwrap();
    branch["id"].clone()
}

/// The first in-stock VIN of the demo Aurora Long Range in white at `dealer`.
async fn in_stock_vin(app: &TestApp, token: &str, dealer: Uuid) -> String {
    let page = json_of(
        app,
        token,
        &format!(
            "/api/v1/dealers/{dealer}/inventory?status=in_stock&variantId={}&colourId={}",
            demo::VARIANT_AURORA_LONG_RANGE,
            demo::COLOUR_AURORA_WHITE
        ),
    )
    .await;
    page["items"][0]["vin"].as_str().unwrap().to_owned()
}

fn with(body: &Value, field: &str, value: &Value) -> Value {
    let mut changed = body.clone();
    changed[field] = value.clone();
    changed
}

fn random() -> Value {
    json!(Uuid::now_v7())
}

#[tokio::test]
async fn every_reference_of_every_dealer_write_is_checked_against_the_callers_dealer() {
    let app = spawn_seeded_app().await;
    let t = tokens(&app).await;
    let b_branch = open_branch(&app, &t.manager_b, demo::DEALER_B, "B North").await;
    let a_vin = in_stock_vin(&app, &t.manager_a, demo::DEALER_A).await;
    let b_vin = in_stock_vin(&app, &t.manager_b, demo::DEALER_B).await;
    let unknown_vin = Vin::with_check_digit("LVDZ9DLR0TA999999")
        .unwrap()
        .to_string();

    let quotation = json!({
        "branchId": demo::DEALER_A_MAIN_BRANCH,
        "customerId": demo::DEMO_CUSTOMERS[0].id,
        "variantId": demo::VARIANT_AURORA_LONG_RANGE,
        "colourId": demo::COLOUR_AURORA_WHITE,
    });
    let order = with(
        &with(&quotation, "vin", &json!(a_vin)),
        "paymentPlan",
        &json!("full"),
    );
    let now = chrono::Utc::now();
    let promotion = json!({
        "name": "Test week", "kind": "percent", "value": 100, "startsAt": now,
        "endsAt": now + chrono::Duration::days(7),
        "variantIds": [demo::VARIANT_AURORA_LONG_RANGE],
    });
    // Dealer B's ids, ids of nothing, and (for the colour) a colour of another model.
    let sale_fields: Vec<(&str, Vec<Value>)> = vec![
        ("dealerId", vec![json!(demo::DEALER_B), random()]),
        (
            "branchId",
            vec![
                json!(demo::DEALER_B_MAIN_BRANCH),
                b_branch.clone(),
                random(),
            ],
        ),
        (
            "customerId",
            vec![json!(demo::DEMO_CUSTOMERS[4].id), random()],
        ),
        ("variantId", vec![random()]),
        ("colourId", vec![json!(demo::COLOUR_TERRA_RED), random()]),
    ];
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    for (field, values) in &sale_fields {
        for value in values {
            cases.push(("/api/v1/quotations", with(&quotation, field, value), field));
            cases.push(("/api/v1/sales-orders", with(&order, field, value), field));
        }
    }
    for value in [json!(b_vin), json!(unknown_vin)] {
        cases.push(("/api/v1/sales-orders", with(&order, "vin", &value), "vin"));
    }
    let promotions = format!("/api/v1/dealers/{}/promotions", demo::DEALER_A);
    cases.push((
        &promotions,
        with(&promotion, "variantIds", &json!([random()])),
        "variantIds",
    ));
    cases.push((
        &promotions,
        with(
            &promotion,
            "variantIds",
            &json!([demo::VARIANT_AURORA_LONG_RANGE, random()]),
        ),
        "variantIds",
    ));

    let before = state(&app, &t).await;
    for (path, body, field) in &cases {
        let response = app.post_as(&t.manager_a, path, body).await;
        refused(response, field, &format!("{path} {field}={}", body[field])).await;
    }
    assert_eq!(
        state(&app, &t).await,
        before,
        "a refused write changed something"
    );

    // The same bodies with dealer A's own ids are accepted, and the state shows it.
    for (path, body) in [
        ("/api/v1/quotations", &quotation),
        ("/api/v1/sales-orders", &order),
        (promotions.as_str(), &promotion),
    ] {
        let response = app.post_as(&t.manager_a, path, body).await;
        assert_eq!(
            response.status(),
            201,
            "{path}: {:?}",
            response.text().await
        );
    }
    let after = state(&app, &t).await;
    assert_eq!(after.quotations, before.quotations + 1);
    assert_eq!(after.sales_orders, before.sales_orders + 1);
    assert_eq!(after.in_stock_a, before.in_stock_a - 1);
    assert_eq!(after.in_stock_b, before.in_stock_b);
    assert_eq!(after.promotions_a, before.promotions_a + 1);
    app.stop().await;
}

#[tokio::test]
async fn a_users_branch_must_be_a_known_branch_of_their_dealer() {
    let app = spawn_seeded_app().await;
    let t = tokens(&app).await;
    let b_branch = open_branch(&app, &t.manager_b, demo::DEALER_B, "B East").await;
    let staff_a = format!("/api/v1/users/{}", demo::DEMO_USER_IDS[3]);
    let version = json_of(&app, &t.admin, &staff_a).await["version"].clone();
    let new_user = |branch: &Value| json!({ "email": format!("new-{}@dealer-a.example", Uuid::now_v7().simple()), "name": "New Staff", "role": "dealer_staff", "branchId": branch, "password": "Sturdy-Pass-2026!" });
    let foreign = [
        json!(demo::DEALER_B_MAIN_BRANCH),
        b_branch.clone(),
        random(),
    ];

    let before = state(&app, &t).await;
    for branch in &foreign {
        let what = format!("branchId={branch}");
        refused(
            app.post_as(&t.manager_a, "/api/v1/users", &new_user(branch))
                .await,
            "branchId",
            &format!("manager creates, {what}"),
        )
        .await;
        let as_admin = with(&new_user(branch), "dealerId", &json!(demo::DEALER_A));
        refused(
            app.post_as(&t.admin, "/api/v1/users", &as_admin).await,
            "branchId",
            &format!("admin creates, {what}"),
        )
        .await;
        let patch = json!({ "branchId": branch, "version": version });
        for token in [&t.manager_a, &t.admin] {
            refused(
                app.patch_as(token, &staff_a, &patch).await,
                "branchId",
                &format!("update, {what}"),
            )
            .await;
        }
    }
    // Moving the user to dealer B while they keep dealer A's branch.
    refused(
        app.patch_as(
            &t.admin,
            &staff_a,
            &json!({ "dealerId": demo::DEALER_B, "version": version }),
        )
        .await,
        "branchId",
        "move to dealer B with dealer A's branch",
    )
    .await;
    assert_eq!(
        state(&app, &t).await,
        before,
        "a refused write changed something"
    );

    // Seeded users keep their seeded branch; a branch dealer A opens now is learnt from
    // `dealer.branch_opened.v1` and then accepted, in a new account and in the user's token.
    let same = app
        .patch_as(
            &t.manager_a,
            &staff_a,
            &json!({ "branchId": demo::DEALER_A_MAIN_BRANCH, "version": version }),
        )
        .await;
    assert_eq!(same.status(), 200, "{:?}", same.text().await);
    let a_branch = open_branch(&app, &t.manager_a, demo::DEALER_A, "A South").await;
    let body = new_user(&a_branch);
    let created: Value = eventually("the new branch to be known to auth", || async {
        let response = app.post_as(&t.manager_a, "/api/v1/users", &body).await;
        match response.status().as_u16() {
            201 => Some(response.json().await.unwrap()),
            422 => None,
            other => panic!("creating a user with a new branch: {other}"),
        }
    })
    .await;
    assert_eq!(created["branchId"], a_branch);
    let after = state(&app, &t).await;
    assert_eq!(after.users, before.users + 1);
    let login = app
        .login(body["email"].as_str().unwrap(), "Sturdy-Pass-2026!")
        .await;
    assert_eq!(login["user"]["branchId"], a_branch, "{login}");
    let _ = app.token(STAFF_A).await;
    app.stop().await;
}

/// Dealer A's manager places a dealer order with the OEM and returns its number.
async fn place_dealer_order(app: &TestApp, token: &str) -> String {
    let response = app
        .post_as(
            token,
            "/api/v1/dealer-orders",
            &json!({ "lines": [{ "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let order: Value = response.json().await.unwrap();
    order["number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn q_finds_quotations_by_number_and_like_metacharacters_match_only_themselves() {
    let app = spawn_seeded_app().await;
    let t = tokens(&app).await;
    let manager = &t.manager_a;

    // /quotations honours q: a part of one quotation's number finds it (in any case).
    let all = json_of(&app, manager, "/api/v1/quotations").await;
    assert!(all["total"].as_u64().unwrap() >= 2, "{all}");
    let number = all["items"][0]["number"].as_str().unwrap().to_owned();
    let tail = number.rsplit('-').next().unwrap().to_lowercase();
    let found = json_of(&app, manager, &format!("/api/v1/quotations?q={tail}")).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["number"], number.as_str());
    assert_eq!(
        total(&app, manager, "/api/v1/quotations?q=no-such-number").await,
        0
    );

    // `%` and `_` (URL-encoded) are literal characters on every searched list, not wildcards.
    let sale = json!({ "customerId": demo::DEMO_CUSTOMERS[0].id, "variantId": demo::VARIANT_PULSE_CITY, "colourId": demo::COLOUR_PULSE_WHITE, "paymentPlan": "full" });
    let sold = app.post_as(manager, "/api/v1/sales-orders", &sale).await;
    assert_eq!(sold.status(), 201);
    let dealer_order = place_dealer_order(&app, manager).await;
    let order_part = dealer_order.rsplit('-').next().unwrap().to_owned();
    assert_eq!(
        total(
            &app,
            manager,
            &format!("/api/v1/dealer-orders?q={order_part}")
        )
        .await,
        1
    );
    let inventory = format!("/api/v1/dealers/{}/inventory", demo::DEALER_A);
    let lists: [(&str, &str); 7] = [
        (manager, "/api/v1/dealer-orders"),
        (manager, "/api/v1/quotations"),
        (manager, "/api/v1/sales-orders"),
        (manager, &inventory),
        (&t.admin, "/api/v1/users"),
        (&t.admin, "/api/v1/dealers"),
        (&t.admin, "/api/v1/catalog/models"),
    ];
    for (token, path) in lists {
        let sep = if path.contains('?') { '&' } else { '?' };
        assert!(total(&app, token, path).await > 0, "{path} has rows");
        for q in ["%25", "_", "%25%25", "__", "%5C"] {
            assert_eq!(
                total(&app, token, &format!("{path}{sep}q={q}")).await,
                0,
                "{path} q={q} matched"
            );
        }
    }
    // Case-insensitive text search on names, the same on both databases.
    assert!(total(&app, &t.admin, "/api/v1/users?q=ADMIN@EVDMS").await >= 1);
    app.stop().await;
}
