//! Hostile input at the edge, on whichever database the tests run (SQLite, or Postgres with
//! EVDMS_TEST_DATABASE_URL): control characters in strings, paging out of range, security
//! headers, `Allow` on 405, and what production closes. Every refusal is a 422 naming the field,
//! never a 5xx or a dropped connection, and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    problem, refused, spawn_app_with, spawn_seeded_app, spawn_seeded_app_with, total, TestApp,
    ADMIN, MANAGER_A, PASSWORD, STAFF_A,
};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn control_characters_are_refused_with_422_naming_the_field_and_change_nothing() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let staff = app.token(STAFF_A).await;
    let manager = app.token(MANAGER_A).await;
    let customer = common_customer(&app, &staff).await;
    let before = (
        total(&app, &manager, "/api/v1/customers").await,
        total(&app, &manager, "/api/v1/leads").await,
        total(&app, &manager, "/api/v1/quotations").await,
        total(&app, &admin, "/api/v1/users").await,
    );

    // Unauthenticated endpoints.
    refused(
        app.post_json(
            "/api/v1/auth/login",
            &json!({ "email": "admin\u{0}@evdms.dev", "password": PASSWORD }),
        )
        .await,
        "email",
        "login email",
    )
    .await;
    refused(
        app.post_json(
            "/api/v1/auth/login",
            &json!({ "email": ADMIN, "password": "ChangeMe-123!\u{0}" }),
        )
        .await,
        "password",
        "login password",
    )
    .await;
    refused(
        app.post_json(
            "/api/v1/auth/password/forgot",
            &json!({ "email": "a\u{0}@b.example" }),
        )
        .await,
        "email",
        "forgot",
    )
    .await;
    refused(
        app.post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": "x\u{0}", "newPassword": "Another-Pass-9!" }),
        )
        .await,
        "token",
        "reset",
    )
    .await;
    let form = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=svc%00&client_secret=x")
        .send()
        .await
        .unwrap();
    refused(form, "client_id", "token form").await;
    let basic = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .basic_auth("svc\u{0}", Some("secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    refused(basic, "authorization", "token basic").await;
    let refresh = app
        .post_json("/api/v1/auth/refresh", &json!({ "refreshToken": "\u{1}" }))
        .await;
    refused(refresh, "refreshToken", "refresh").await;

    // Authenticated writes, top-level, nested and in keys; C0, DEL and C1 controls.
    let writes: Vec<(&str, &str, Value, &str)> = vec![
        (
            &staff,
            "/api/v1/customers",
            json!({ "kind": "individual", "fullName": "Nul\u{0}Name", "phone": "+84 90 111 0001", "email": "n@example.com" }),
            "fullName",
        ),
        (
            &staff,
            "/api/v1/customers",
            json!({ "kind": "individual", "fullName": "Someone", "phone": "+84 90 111 0002", "email": "a\u{0}@b.example" }),
            "email",
        ),
        (
            &staff,
            "/api/v1/customers",
            json!({ "kind": "individual", "fullName": "Esc \u{1b}[31m", "phone": "+84 90 111 0003", "email": "e@example.com" }),
            "fullName",
        ),
        (
            &staff,
            "/api/v1/leads",
            json!({ "customerId": customer, "source": "web\u{7f}", "variantId": demo::VARIANT_TERRA_MAX }),
            "source",
        ),
        (
            &staff,
            "/api/v1/quotations",
            json!({ "customerId": customer, "variantId": demo::VARIANT_TERRA_MAX, "colourId": demo::COLOUR_TERRA_RED,
                    "options": [{ "name": "Tow\u{0}bar", "price": 1 }] }),
            "options[0].name",
        ),
        (
            &admin,
            "/api/v1/users",
            json!({ "email": "new\u{85}@evdms.dev", "name": "New", "role": "evm_staff", "password": "Long-Enough-Pass-1!" }),
            "email",
        ),
        (
            &staff,
            "/api/v1/customers",
            json!({ "kind": "individual", "full\u{0}Name": "Key", "phone": "+84 90 111 0004", "email": "k@example.com" }),
            "full\\0Name",
        ),
    ];
    for (token, path, body, field) in &writes {
        refused(app.post_as(token, path, body).await, field, path).await;
    }
    refused(
        app.patch_as(
            &manager,
            &format!("/api/v1/customers/{customer}"),
            &json!({ "notes": "Tab\tis fine but NUL\u{0} is not", "version": 1 }),
        )
        .await,
        "notes",
        "customer update",
    )
    .await;

    // Query strings: every control character, including line breaks.
    for (query, field) in [
        ("q=%00", "q"),
        ("q=a%0Ab", "q"),
        ("sort=%01name", "sort"),
        ("status=%C2%85", "status"),
        ("a%00b=1", "a\\0b"),
    ] {
        refused(
            app.get_as(&manager, &format!("/api/v1/customers?{query}"))
                .await,
            field,
            query,
        )
        .await;
    }

    let after = (
        total(&app, &manager, "/api/v1/customers").await,
        total(&app, &manager, "/api/v1/leads").await,
        total(&app, &manager, "/api/v1/quotations").await,
        total(&app, &admin, "/api/v1/users").await,
    );
    assert_eq!(before, after, "a refused request changed state");
    // Nothing counted as a failed login: the account still signs in.
    app.login(ADMIN, PASSWORD).await;

    // Line breaks and tabs are text in JSON strings.
    let fine = app
        .patch_as(
            &manager,
            &format!("/api/v1/customers/{customer}"),
            &json!({ "notes": "Line\tbreaks\r\nare text", "version": 1 }),
        )
        .await;
    assert!(fine.status().is_success(), "{}", fine.text().await.unwrap());
}

async fn common_customer(app: &TestApp, token: &str) -> String {
    let response = app
        .post_as(
            token,
            "/api/v1/customers",
            &json!({ "kind": "individual", "fullName": "Hostile Test", "phone": "+84 90 999 0001", "email": "hostile@example.com" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// Every GET path of the OpenAPI document that takes `pageSize`, with path parameters filled.
async fn paginated_lists(app: &TestApp) -> Vec<String> {
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut lists = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        if params.iter().any(|p| p["name"] == "pageSize") {
            let filled = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        demo::DEALER_A.to_string()
                    } else {
                        segment.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            lists.push(filled);
        }
    }
    lists
}

#[tokio::test]
async fn paging_out_of_range_is_422_on_every_list_and_never_a_5xx() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let manager = app.token(MANAGER_A).await;
    let lists = paginated_lists(&app).await;
    assert!(
        lists.len() >= 20,
        "only {} paginated lists: {lists:?}",
        lists.len()
    );

    // The bounds are documented.
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let params = doc["paths"]["/api/v1/customers"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let bound = |name: &str| {
        let schema = &params.iter().find(|p| p["name"] == name).unwrap()["schema"];
        (schema["minimum"].as_f64(), schema["maximum"].as_f64())
    };
    assert_eq!(bound("page"), (Some(1.0), Some(1_000_000.0)));
    assert_eq!(bound("pageSize"), (Some(1.0), Some(100.0)));

    let bad = [
        ("page", "9223372036854775807"),
        ("page", "18446744073709551616"),
        ("page", "1000000000000000000"),
        ("page", "1000001"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "-9223372036854775808"),
        ("pageSize", "0"),
        ("pageSize", "101"),
        ("pageSize", "-20"),
        ("pageSize", "9223372036854775807"),
    ];
    for list in &lists {
        for (name, value) in bad {
            let path = format!("{list}?{name}={value}");
            let response = app.get_as(&manager, &path).await;
            let body = problem(response, 422).await;
            assert_eq!(body["errors"][0]["field"], name, "{path}: {body}");
        }
        // The largest accepted page answers (empty, forbidden or not found), never a 5xx.
        for token in [&admin, &manager] {
            let path = format!("{list}?page=1000000&pageSize=100");
            let response = app.get_as(token, &path).await;
            assert!(
                response.status().as_u16() < 500,
                "{path}: {}",
                response.status()
            );
        }
    }
    // Text that is no number at all stays a malformed request.
    problem(
        app.get_as(&manager, "/api/v1/customers?page=abc").await,
        400,
    )
    .await;
    let page: Value = app
        .get_as(&manager, "/api/v1/customers?page=1000000&pageSize=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"], 1_000_000);
    assert_eq!(page["items"], json!([]));
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(response, "referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(header(response, "x-frame-options"), Some("DENY"), "{what}");
    let csp = header(response, "content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_token_responses_are_not_stored() {
    let app = spawn_seeded_app().await;
    for path in [
        "/health",
        "/ready",
        "/metrics",
        "/api/v1/openapi.json",
        "/api/v1/customers",
        "/api/v1/nowhere",
        "/api/v1/customers?page=0",
    ] {
        let response = app.get(path).await;
        assert_security_headers(&response, path);
        assert!(header(&response, "strict-transport-security").is_none());
    }
    // Swagger UI still loads: its page, script and stylesheet, under a CSP that allows them.
    for path in [
        "/docs/",
        "/docs/swagger-initializer.js",
        "/docs/swagger-ui.css",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_security_headers(&response, path);
        let csp = header(&response, "content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"),
            "{csp}"
        );
    }
    let api = app.get("/api/v1/customers").await;
    assert!(header(&api, "content-security-policy")
        .unwrap()
        .starts_with("default-src 'none'"));

    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": ADMIN, "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status(), 200);
    assert_security_headers(&login, "login");
    assert_eq!(header(&login, "cache-control"), Some("no-store"));
    let tokens: Value = login.json().await.unwrap();
    let refresh = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": tokens["refreshToken"] }),
        )
        .await;
    assert_eq!(refresh.status(), 200);
    assert_eq!(header(&refresh, "cache-control"), Some("no-store"));
    let failed = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": ADMIN, "password": "wrong-password" }),
        )
        .await;
    assert_eq!(header(&failed, "cache-control"), Some("no-store"));
    // A CORS preflight is a response too.
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/customers"))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_security_headers(&preflight, "preflight");

    let hsts = spawn_app_with(&[("EVDMS__SERVER__HSTS_MAX_AGE_SECS", "31536000")]).await;
    let response = hsts.get("/health").await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

#[tokio::test]
async fn method_not_allowed_names_the_allowed_methods() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    for (method, path, allowed) in [
        (reqwest::Method::DELETE, "/api/v1/customers", "GET, POST"),
        (reqwest::Method::PUT, "/api/v1/auth/login", "POST"),
        (
            reqwest::Method::POST,
            "/api/v1/auth/.well-known/jwks.json",
            "GET",
        ),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&manager)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(header(&response, "allow"), Some(allowed), "{method} {path}");
        assert_security_headers(&response, path);
        let body = problem(response, 405).await;
        assert_eq!(body["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn production_exposure_closes_docs_metrics_and_ready_details_except_for_admins() {
    let app = spawn_seeded_app_with(&[
        ("EVDMS__OPS__EXPOSE_DOCS", "false"),
        ("EVDMS__OPS__EXPOSE_METRICS", "false"),
        ("EVDMS__OPS__READY_DETAILS", "false"),
    ])
    .await;
    let admin = app.token(ADMIN).await;
    let manager = app.token(MANAGER_A).await;
    for path in [
        "/metrics",
        "/docs/",
        "/docs/swagger-initializer.js",
        "/api/v1/openapi.json",
    ] {
        problem(app.get(path).await, 404).await;
        problem(app.get_as(&manager, path).await, 404).await;
        problem(app.get_as("not-a-token", path).await, 404).await;
    }
    for path in ["/metrics", "/api/v1/openapi.json"] {
        assert_eq!(app.get_as(&admin, path).await.status(), 200, "{path}");
    }

    let ready: Value = app.get("/ready").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    for (name, check) in ready["checks"].as_object().unwrap() {
        assert_eq!(check["status"], "up", "{name}");
        assert!(check.get("detail").is_none(), "{name}: {check}");
    }
    let detailed: Value = app.get_as(&admin, "/ready").await.json().await.unwrap();
    assert!(
        detailed["checks"]["outbox.customer"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("pending")),
        "{detailed}"
    );
    // Probes and the API itself stay open.
    assert_eq!(app.get("/health").await.status(), 200);
    assert_eq!(
        app.get_as(&manager, "/api/v1/customers").await.status(),
        200
    );
}
