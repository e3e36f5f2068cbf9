//! The security audit trail over HTTP: `GET /api/v1/auth/audit-log` (administrators only).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, spawn_seeded_app, TestApp, ADMIN, EVM, MANAGER_A, PASSWORD, STAFF_A};
use serde_json::{json, Value};

async fn audit(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_as(token, &format!("/api/v1/auth/audit-log{query}"))
        .await;
    assert_eq!(response.status(), 200, "audit-log{query}");
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app
        .get_as(token, "/api/v1/users/me")
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn admins_read_logins_and_logouts_with_filters_and_pages() {
    let app = spawn_seeded_app().await;
    // The seed's `user_created` records are older than this.
    let before = chrono::Utc::now();
    // The staff member signs in twice, fails once, then signs out everywhere.
    let staff = app.token(STAFF_A).await;
    let _second = app.token(STAFF_A).await;
    let wrong = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": STAFF_A, "password": "not the password" }),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let staff_id = user_id(&app, &staff).await;
    let out = app
        .post_as(&staff, "/api/v1/auth/logout-all", &json!({}))
        .await;
    assert_eq!(out.status(), 204);
    let admin = app.token(ADMIN).await;

    // Everything, newest first, in the list envelope.
    let all = audit(&app, &admin, "").await;
    assert_eq!(all["page"], 1);
    assert_eq!(all["pageSize"], 20);
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 5, "{all}");
    let times: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurredAt"].as_str().unwrap())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    // The admin's own login is the newest record.
    assert_eq!(all["items"][0]["action"], "login_succeeded");
    assert_eq!(all["items"][0]["email"], ADMIN);

    // By user: the staff member's trail, newest first.
    let mine = audit(&app, &admin, &format!("?userId={staff_id}")).await;
    assert_eq!(
        actions(&mine),
        [
            "sessions_revoked",
            "login_succeeded",
            "login_succeeded",
            "user_created"
        ],
        "{mine}"
    );
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["userId"] == staff_id.as_str()));
    assert_eq!(mine["items"][0]["detail"], "2 sessions");

    // By action, with the email searched (a failed login names no user, only the email given).
    let failed = audit(
        &app,
        &admin,
        &format!("?action=login_failed&q={}", encode(STAFF_A)),
    )
    .await;
    assert_eq!(actions(&failed), ["login_failed"]);
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["email"], STAFF_A);
    assert_eq!(failed["items"][0]["userId"], Value::Null);
    let created = audit(
        &app,
        &admin,
        &format!("?userId={staff_id}&action=user_created"),
    )
    .await;
    assert_eq!(actions(&created), ["user_created"]);
    let revoked = audit(&app, &admin, "?action=sessions_revoked").await;
    assert_eq!(actions(&revoked), ["sessions_revoked"]);

    // By time: since the test began, the four logins and the sign-out; before it, the seed's six
    // accounts; nothing in the future.
    let from = before.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let since = audit(&app, &admin, &format!("?from={}", encode(&from))).await;
    assert_eq!(since["total"], 5, "{since}");
    let until = audit(&app, &admin, &format!("?to={}", encode(&from))).await;
    assert_eq!(actions(&until), ["user_created"; 6], "{until}");
    assert_eq!(since["total"].as_u64().unwrap() + 6, total);
    let future = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let later = audit(&app, &admin, &format!("?from={}", encode(&future))).await;
    assert_eq!(later["total"], 0);

    // Pages: two of two and the rest, no record twice.
    let first = audit(&app, &admin, "?pageSize=2").await;
    let second = audit(&app, &admin, "?pageSize=2&page=2").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["total"], total);
    let ids: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|e| &e["id"])
        .collect();
    assert!(ids
        .iter()
        .all(|id| ids.iter().filter(|o| o == &id).count() == 1));
    let oldest_first = audit(&app, &admin, "?sort=occurredAt&pageSize=1").await;
    assert_eq!(oldest_first["items"][0]["action"], "user_created");

    // Bad filters are 4xx naming what is wrong; nothing is a 5xx.
    let unknown = problem(
        app.get_as(&admin, "/api/v1/auth/audit-log?action=logged_in")
            .await,
        422,
    )
    .await;
    assert_eq!(unknown["errors"][0]["field"], "action", "{unknown}");
    let backwards = problem(
        app.get_as(
            &admin,
            &format!(
                "/api/v1/auth/audit-log?from={}&to={}",
                encode(&future),
                encode(&from)
            ),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(backwards["errors"][0]["field"], "to", "{backwards}");
    problem(
        app.get_as(&admin, "/api/v1/auth/audit-log?sort=password")
            .await,
        422,
    )
    .await;
    problem(
        app.get_as(&admin, "/api/v1/auth/audit-log?userId=nobody")
            .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn only_admins_read_the_audit_trail() {
    let app = spawn_seeded_app().await;
    problem(app.get("/api/v1/auth/audit-log").await, 401).await;
    for email in [MANAGER_A, STAFF_A, EVM] {
        let token = app.token(email).await;
        problem(app.get_as(&token, "/api/v1/auth/audit-log").await, 403).await;
    }
    let _ = app.login(ADMIN, PASSWORD).await;
}

#[tokio::test]
async fn the_audit_log_is_in_the_openapi_document_with_its_actions() {
    let app = spawn_seeded_app().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let operation = &doc["paths"]["/api/v1/auth/audit-log"]["get"];
    assert!(operation.is_object(), "documented");
    for status in ["200", "401", "403", "422"] {
        assert!(operation["responses"][status].is_object(), "{status}");
    }
    let params: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["userId", "action", "from", "to", "page", "pageSize"] {
        assert!(params.contains(&name), "{name} in {params:?}");
    }
    let kinds = &doc["components"]["schemas"]["AuditAction"]["enum"];
    assert!(
        kinds
            .as_array()
            .is_some_and(|k| k.contains(&json!("login_succeeded"))),
        "{kinds}"
    );
    let manufacturer = &doc["paths"]["/api/v1/manufacturers/{id}"]["get"];
    assert!(manufacturer["responses"]["404"].is_object());
}

/// Percent-encodes a time or an email for a query string.
fn encode(value: &str) -> String {
    value
        .replace(':', "%3A")
        .replace('+', "%2B")
        .replace('@', "%40")
}
