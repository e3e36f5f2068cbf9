//! Redis killed mid-run: the service keeps answering (reads, logins, the JWKS and the OpenAPI
//! document), rate limits fail open, a logged-out token stays refused (the durable revocation
//! list) and /ready says Redis is down.
//!
//! The test starts a throwaway `redis-server` of its own on a free port (never the shared one);
//! it is skipped where `redis-server` is not installed, unless EVDMS_TEST_REQUIRE_SERVICES=1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{spawn_seeded_app_with, ADMIN, MANAGER_A, PASSWORD};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A `redis-server` of this test's own, killed when dropped.
struct OwnRedis {
    child: Option<Child>,
    port: u16,
}

impl OwnRedis {
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Self {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, as in a crash.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test]
async fn the_service_keeps_answering_when_redis_dies() {
    let Some(mut redis) = OwnRedis::start() else {
        assert!(
            !kernel::testing::services_required(),
            "redis-server is required (EVDMS_TEST_REQUIRE_SERVICES=1) but cannot be started"
        );
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let url = redis.url();
    let app = spawn_seeded_app_with(&[
        ("EVDMS__CACHE__REDIS_URL", url.as_str()),
        ("EVDMS__CACHE__TIMEOUT_MS", "250"),
        ("EVDMS__SERVER__RATE_LIMIT_PER_USER", "15"),
    ])
    .await;
    let admin = app.token(ADMIN).await;
    let revoked = app.token(MANAGER_A).await;
    assert_eq!(
        app.post_as(&revoked, "/api/v1/auth/logout", &serde_json::json!({}))
            .await
            .status(),
        204
    );
    let ready: serde_json::Value = app.get("/ready").await.json().await.unwrap();
    assert_eq!(ready["checks"]["redis"]["status"], "up", "{ready}");

    // With Redis, the per-user limit holds.
    let mut limited = false;
    for _ in 0..20 {
        if app.get_as(&admin, "/api/v1/users/me").await.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "the per-user rate limit applies while Redis is up");

    redis.kill();

    // Reads go on, past the limit: it fails open.
    for _ in 0..25 {
        let started = Instant::now();
        let response = app.get_as(&admin, "/api/v1/users/me").await;
        assert_eq!(response.status(), 200, "reads answer with Redis down");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a request waited {:?} on Redis",
            started.elapsed()
        );
    }
    // The logged-out token is still refused: the durable revocation list decides.
    assert_eq!(app.get_as(&revoked, "/api/v1/users/me").await.status(), 401);
    // Logins (their throttle fails open) and logouts (recorded in the database) work.
    let login = app.login(MANAGER_A, PASSWORD).await;
    let fresh = login["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as(&fresh, "/api/v1/users/me").await.status(), 200);
    let wrong = app
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({ "email": MANAGER_A, "password": "not-the-password" }),
        )
        .await;
    assert_eq!(wrong.status(), 401, "a wrong password is still refused");
    assert_eq!(
        app.post_as(&fresh, "/api/v1/auth/logout", &serde_json::json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(app.get_as(&fresh, "/api/v1/users/me").await.status(), 401);
    // The public documents are served.
    for path in [
        "/api/v1/auth/.well-known/jwks.json",
        "/api/v1/openapi.json",
        "/docs/",
    ] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    // /ready says Redis is down; the metrics count the failures.
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["checks"]["redis"]["status"], "down", "{ready}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("evdms_cache_errors_total{op=\"increment\"}")),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_process_starts_and_serves_while_redis_is_down() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let database = kernel::testing::TestDatabase::create().await;
    // Seeded without Redis; served with the unreachable one.
    evdms::startup::seed_all(common::settings(
        &database,
        &[("EVDMS__CACHE__REDIS_URL", "")],
    ))
    .await
    .unwrap();
    let app = common::spawn_on(database, &[("EVDMS__CACHE__REDIS_URL", url.as_str())]).await;
    let token = app.token(ADMIN).await;
    assert_eq!(app.get_as(&token, "/api/v1/users/me").await.status(), 200);
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["checks"]["redis"]["status"], "down", "{ready}");
}
