//! The platform end to end: operations endpoints, error shape, OpenAPI, schemas, shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, spawn_app};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn health_and_ready_answer() {
    let app = spawn_app().await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );

    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "up");
    for module in contracts::modules::ALL {
        assert_eq!(
            body["checks"][format!("outbox.{module}")]["status"],
            "up",
            "{module}"
        );
    }
}

#[tokio::test]
async fn ready_pings_mongodb_when_it_is_configured() {
    let Some(base) = kernel::testing::service_url("EVDMS_TEST_MONGO_URL") else {
        eprintln!("skipped: EVDMS_TEST_MONGO_URL not set");
        return;
    };
    // Its own database, so the stores the app opens (timeline, reports) start empty.
    let name = format!("evdms_t_{}", uuid::Uuid::now_v7().simple());
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{name}"));
    let app = common::spawn_app_with(&[("EVDMS__ANALYTICS__MONGO_URL", url.as_str())]).await;
    let ready = app.get("/ready").await;
    let body: serde_json::Value = ready.json().await.unwrap();
    mongodb::Client::with_uri_str(&base)
        .await
        .unwrap()
        .database(&name)
        .drop()
        .await
        .unwrap();
    assert_eq!(body["checks"]["mongodb"]["status"], "up", "{body}");
    assert_eq!(body["checks"]["mongodb"]["detail"], "ping answered");
    assert_eq!(body["status"], "ready", "{body}");
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text() {
    let app = spawn_app().await;
    app.get("/health").await;
    app.get("/api/v1/nothing-here").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");
    let has = |name: &str| scrape.samples.iter().any(|s| s.metric == name);
    assert!(has("evdms_http_requests_total"));
    assert!(
        has("evdms_http_request_duration_seconds_bucket")
            || has("evdms_http_request_duration_seconds")
    );
    assert!(has("evdms_outbox_pending"));
    assert!(has("evdms_outbox_oldest_pending_age_seconds"));
    assert!(has("evdms_outbox_dead_letters"));
    assert!(has("evdms_db_pool_connections"));
    let health = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "evdms_http_requests_total" && s.labels.get("route") == Some("/health")
        })
        .expect("requests are counted by route template");
    assert_eq!(health.labels.get("status"), Some("200"));
    assert!(scrape
        .samples
        .iter()
        .any(|s| s.metric == "evdms_http_requests_total"
            && s.labels.get("route") == Some("unmatched")));
}

#[tokio::test]
async fn unknown_route_is_a_404_problem_with_the_request_id() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap(), "req-42");
    let body = problem(response, 404).await;
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["requestId"], "req-42");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    problem(app.get("/elsewhere").await, 404).await;
}

#[tokio::test]
async fn openapi_document_and_offline_swagger_ui_are_served() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/health", "/ready", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());

    let ui = app.get("/docs/").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("<html"));
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(
        bundle.status(),
        200,
        "Swagger UI assets are embedded, not fetched"
    );
}

#[tokio::test]
async fn each_module_schema_holds_its_own_migration_history_outbox_and_inbox() {
    let app = spawn_app().await;
    let database = app.stop().await;
    let db = common::connect(&database).await;
    for schema in contracts::modules::ALL {
        let sql = if database.is_postgres() {
            format!("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '{schema}'")
        } else {
            format!("SELECT name FROM \"{schema}\".sqlite_master WHERE type = 'table'")
        };
        let rows = db
            .conn()
            .query_all(Statement::from_string(db.backend(), sql))
            .await
            .unwrap();
        let tables: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("", "name").unwrap())
            .collect();
        for table in ["seaql_migrations", "outbox", "inbox"] {
            assert!(
                tables.contains(&table.to_owned()),
                "{schema}.{table} missing; found {tables:?}"
            );
        }
        let history = format!("SELECT COUNT(*) AS n FROM \"{schema}\".\"seaql_migrations\"");
        let row = db
            .conn()
            .query_one(Statement::from_string(db.backend(), history))
            .await
            .unwrap()
            .unwrap();
        assert!(
            row.try_get::<i64>("", "n").unwrap() >= 1,
            "{schema} history is empty"
        );
    }
    if !database.is_postgres() {
        for schema in contracts::modules::ALL {
            assert!(
                database.data_dir.join(format!("{schema}.db")).exists(),
                "{schema}.db"
            );
        }
    }
}

#[tokio::test]
async fn restarting_on_the_same_database_applies_no_migration_twice() {
    let app = spawn_app().await;
    let database = app.stop().await;
    let again = common::spawn_on(database, &[]).await;
    assert_eq!(again.get("/ready").await.status(), 200);
    again.stop().await;
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app =
        common::spawn_app_with(&[("EVDMS__SERVER__CORS_ORIGINS", "http://app.example")]).await;
    let allowed = app
        .client
        .get(app.url("/health"))
        .header("origin", "http://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "http://app.example"
    );
    let other = app
        .client
        .get(app.url("/health"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn bad_input_to_a_real_endpoint_is_a_4xx_problem() {
    let app = spawn_app().await;
    let login = app.url("/api/v1/auth/login");
    let malformed = app
        .client
        .post(&login)
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    problem(malformed, 400).await;
    let wrong_type = app
        .client
        .post(&login)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(wrong_type, 415).await;
    let huge = format!(
        "{{\"email\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(300_000)
    );
    let oversized = app
        .client
        .post(&login)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    problem(oversized, 413).await;
    let missing = app
        .client
        .post(&login)
        .json(&serde_json::json!({ "email": "a@b.c" }))
        .send()
        .await
        .unwrap();
    problem(missing, 422).await;
    let method = app
        .client
        .put(&login)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    problem(method, 405).await;
}

#[tokio::test]
async fn requests_over_the_per_address_limit_get_429_with_retry_after() {
    let app = common::spawn_app_with(&[("EVDMS__SERVER__RATE_LIMIT_PER_IP", "5")]).await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/openapi.json").await.status(), 200);
    }
    let limited = app.get("/api/v1/openapi.json").await;
    let retry_after: u64 = limited
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert!(limited.headers().get("x-request-id").is_some());
    assert_eq!(problem(limited, 429).await["code"], "rate_limited");
    // Probes are never limited.
    assert_eq!(app.get("/health").await.status(), 200);
    assert_eq!(app.get("/ready").await.status(), 200);
}
