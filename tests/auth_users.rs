//! User administration under the role rules, and service clients.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, spawn_seeded_app, ADMIN, EVM, MANAGER_A, MANAGER_B, STAFF_A};
use contracts::seed::{DEALER_A, DEALER_B};
use serde_json::json;

fn new_user(email: &str, role: &str, dealer: Option<uuid::Uuid>) -> serde_json::Value {
    json!({ "email": email, "name": "New Person", "role": role, "dealerId": dealer, "password": "Plenty-long-secret-1" })
}

#[tokio::test]
async fn a_dealer_manager_creates_staff_for_their_own_dealer_only() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;

    let created = app
        .post_as(
            &manager,
            "/api/v1/users",
            &new_user("new.staff@dealer-a.evdms.dev", "dealer_staff", None),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert!(created
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("/api/v1/users/"));
    let body: serde_json::Value = created.json().await.unwrap();
    assert_eq!(
        body["dealerId"],
        DEALER_A.to_string(),
        "defaults to the manager's dealer"
    );

    let other_dealer = app
        .post_as(
            &manager,
            "/api/v1/users",
            &new_user("x@dealer-b.evdms.dev", "dealer_staff", Some(DEALER_B)),
        )
        .await;
    problem(other_dealer, 403).await;
    let admin = app
        .post_as(
            &manager,
            "/api/v1/users",
            &new_user("boss@evil.dev", "admin", None),
        )
        .await;
    problem(admin, 403).await;
    let peer = app
        .post_as(
            &manager,
            "/api/v1/users",
            &new_user("peer@dealer-a.evdms.dev", "dealer_manager", Some(DEALER_A)),
        )
        .await;
    problem(peer, 403).await;

    let staff = app.token(STAFF_A).await;
    problem(
        app.post_as(
            &staff,
            "/api/v1/users",
            &new_user("y@dealer-a.evdms.dev", "dealer_staff", None),
        )
        .await,
        403,
    )
    .await;

    let events = common::outbox_events(&app, "auth").await;
    let registered: Vec<_> = events
        .iter()
        .filter(|(name, _)| name == "auth.user_registered.v1")
        .collect();
    assert_eq!(registered.len(), 7, "six seeded users and one created");
    assert_eq!(registered[6].1["email"], "new.staff@dealer-a.evdms.dev");
}

#[tokio::test]
async fn bad_user_input_is_rejected_and_changes_nothing() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let cases = [
        (new_user("not-an-email", "evm_staff", None), 422, "email"),
        (
            new_user("weak@evdms.dev", "evm_staff", None)
                .as_object()
                .cloned()
                .map(|mut o| {
                    o.insert("password".into(), json!("short"));
                    serde_json::Value::Object(o)
                })
                .unwrap(),
            422,
            "password",
        ),
        (new_user("role@evdms.dev", "overlord", None), 422, "role"),
        (
            new_user("dealerless@evdms.dev", "dealer_staff", None),
            422,
            "dealerId",
        ),
        (
            new_user("oem@evdms.dev", "evm_staff", Some(DEALER_A)),
            422,
            "dealerId",
        ),
    ];
    for (body, status, field) in cases {
        let response = app.post_as(&admin, "/api/v1/users", &body).await;
        let problem = problem(response, status).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let duplicate = app
        .post_as(
            &admin,
            "/api/v1/users",
            &new_user(" STAFF@dealer-a.evdms.dev ", "dealer_staff", Some(DEALER_A)),
        )
        .await;
    assert_eq!(problem(duplicate, 409).await["code"], "duplicate_email");
    let page: serde_json::Value = app
        .get_as(&admin, "/api/v1/users?pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 6, "nothing was created");
}

#[tokio::test]
async fn dealer_roles_see_only_their_dealer_and_get_404_for_others() {
    let app = spawn_seeded_app().await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let page: serde_json::Value = app
        .get_as(&manager_a, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2);
    for user in page["items"].as_array().unwrap() {
        assert_eq!(user["dealerId"], DEALER_A.to_string());
    }
    let b_page: serde_json::Value = app
        .get_as(&manager_b, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    let b_staff = b_page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "dealer_staff")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    problem(
        app.get_as(&manager_a, &format!("/api/v1/users/{b_staff}"))
            .await,
        404,
    )
    .await;
    problem(
        app.post_as(
            &manager_a,
            &format!("/api/v1/users/{b_staff}/deactivate"),
            &json!({}),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.patch_as(
            &manager_a,
            &format!("/api/v1/users/{b_staff}"),
            &json!({ "name": "Hijacked", "version": 1 }),
        )
        .await,
        404,
    )
    .await;
    // Staff may not list users at all.
    let staff = app.token(STAFF_A).await;
    problem(app.get_as(&staff, "/api/v1/users").await, 403).await;
    // OEM staff see across dealers; filters and sorting work.
    let evm = app.token(EVM).await;
    let dealer_b: serde_json::Value = app
        .get_as(
            &evm,
            &format!("/api/v1/users?dealerId={DEALER_B}&sort=-email"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dealer_b["total"], 2);
    assert_eq!(dealer_b["items"][0]["email"], "staff@dealer-b.evdms.dev");
    let search: serde_json::Value = app
        .get_as(&evm, "/api/v1/users?q=MANAGER&role=dealer_manager")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(search["total"], 2);
    problem(
        app.get_as(&evm, "/api/v1/users?sort=passwordHash").await,
        422,
    )
    .await;
    problem(app.get_as(&evm, "/api/v1/users?page=abc").await, 400).await;
}

#[tokio::test]
async fn updates_are_optimistic_and_role_changes_are_for_admins() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let manager = app.token(MANAGER_A).await;
    let page: serde_json::Value = app
        .get_as(&manager, "/api/v1/users?role=dealer_staff")
        .await
        .json()
        .await
        .unwrap();
    let staff_id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{staff_id}");

    let read = app.get_as(&manager, &path).await;
    assert_eq!(read.headers().get("etag").unwrap(), "\"1\"");
    problem(
        app.patch_as(&manager, &path, &json!({ "name": "No Version" }))
            .await,
        422,
    )
    .await;
    let renamed = app
        .patch_as(
            &manager,
            &path,
            &json!({ "name": "Renamed Staff", "version": 1 }),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(renamed.headers().get("etag").unwrap(), "\"2\"");
    let stale = app
        .patch_as(&manager, &path, &json!({ "name": "Stale", "version": 1 }))
        .await;
    assert_eq!(problem(stale, 409).await["code"], "stale_version");
    let stale_header = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&manager)
        .header("If-Match", "\"1\"")
        .json(&json!({ "name": "Stale" }))
        .send()
        .await
        .unwrap();
    problem(stale_header, 412).await;

    problem(
        app.patch_as(
            &manager,
            &path,
            &json!({ "role": "dealer_manager", "version": 2 }),
        )
        .await,
        403,
    )
    .await;
    let promoted = app
        .patch_as(
            &admin,
            &path,
            &json!({ "role": "dealer_manager", "version": 2 }),
        )
        .await;
    assert_eq!(promoted.status(), 200);
    let body: serde_json::Value = promoted.json().await.unwrap();
    assert_eq!(
        (body["role"].as_str(), body["name"].as_str()),
        (Some("dealer_manager"), Some("Renamed Staff"))
    );
}

#[tokio::test]
async fn service_clients_get_scoped_tokens_by_client_credentials() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    problem(
        app.post_as(
            &app.token(EVM).await,
            "/api/v1/service-clients",
            &json!({ "name": "x", "scopes": [] }),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.post_as(
            &admin,
            "/api/v1/service-clients",
            &json!({ "name": "bad", "scopes": ["Not A Scope"] }),
        )
        .await,
        422,
    )
    .await;

    let created: serde_json::Value = app
        .post_as(
            &admin,
            "/api/v1/service-clients",
            &json!({ "name": "Reporting ETL", "scopes": ["reports:read", "events:read"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let client_id = created["client"]["clientId"].as_str().unwrap().to_owned();
    let secret = created["clientSecret"].as_str().unwrap().to_owned();

    let token = |form: Vec<(&'static str, String)>| {
        let request = app.client.post(app.url("/api/v1/auth/token")).form(&form);
        async move { request.send().await.unwrap() }
    };
    let granted: serde_json::Value = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id.clone()),
        ("client_secret", secret.clone()),
        ("scope", "reports:read".into()),
    ])
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(granted["token_type"], "Bearer");
    assert_eq!(granted["scope"], "reports:read");
    let access = granted["access_token"].as_str().unwrap();
    // A service token is not a user: user endpoints refuse it.
    problem(app.get_as(access, "/api/v1/users/me").await, 403).await;

    let basic = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    let wrong = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id.clone()),
        ("client_secret", "nope".into()),
    ])
    .await;
    problem(wrong, 401).await;
    let too_much = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id.clone()),
        ("client_secret", secret.clone()),
        ("scope", "admin:all".into()),
    ])
    .await;
    problem(too_much, 400).await;

    let id = created["client"]["id"].as_str().unwrap();
    let rotated: serde_json::Value = app
        .post_as(
            &admin,
            &format!("/api/v1/service-clients/{id}/rotate-secret"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(rotated["clientSecret"], created["clientSecret"]);
    let old = token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id),
        ("client_secret", secret),
    ])
    .await;
    problem(old, 401).await;
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/service-clients/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn each_user_has_a_request_budget_of_their_own() {
    let app = common::spawn_seeded_app_with(&[("EVDMS__SERVER__RATE_LIMIT_PER_USER", "3")]).await;
    let staff = app.token(STAFF_A).await;
    for _ in 0..3 {
        assert_eq!(app.get_as(&staff, "/api/v1/users/me").await.status(), 200);
    }
    assert_eq!(
        problem(app.get_as(&staff, "/api/v1/users/me").await, 429).await["code"],
        "rate_limited"
    );
    // Another user from the same address still has theirs.
    let manager = app.token(MANAGER_A).await;
    assert_eq!(app.get_as(&manager, "/api/v1/users/me").await.status(), 200);
}
