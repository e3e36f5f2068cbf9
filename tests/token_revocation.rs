//! Token revocation that outlives the process and reaches every process, with or without Redis,
//! and Redis as a dependency that degrades instead of failing every call.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{spawn_on, spawn_seeded_app_with, TestApp, ADMIN, MANAGER_A, PASSWORD};
use std::time::{Duration, Instant};

/// No Redis, whatever the environment offers: the database is the only shared state.
const WITHOUT_REDIS: &[(&str, &str)] = &[("EVDMS__CACHE__REDIS_URL", "")];

/// The documented worst case for another process to learn a revocation without Redis:
/// `auth.revocation_refresh_ms` (1 s by default) plus a read; the test allows generous slack.
const PROPAGATION_BOUND: Duration = Duration::from_secs(5);

/// The status of `method path` at `base` with `token`.
async fn status_of(method: reqwest::Method, base: &str, path: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn me(base: &str, token: &str) -> u16 {
    status_of(reqwest::Method::GET, base, "/api/v1/users/me", token).await
}

async fn logout(base: &str, token: &str) -> u16 {
    status_of(reqwest::Method::POST, base, "/api/v1/auth/logout", token).await
}

#[tokio::test]
async fn a_logged_out_token_stays_revoked_after_a_restart_without_redis() {
    let app = spawn_seeded_app_with(WITHOUT_REDIS).await;
    let revoked = app.token(MANAGER_A).await;
    let kept = app.token(ADMIN).await;
    assert_eq!(me(&app.address, &revoked).await, 200);
    assert_eq!(logout(&app.address, &revoked).await, 204);
    assert_eq!(me(&app.address, &revoked).await, 401, "revoked at once");

    let app = spawn_on(app.stop().await, WITHOUT_REDIS).await;
    assert_eq!(
        me(&app.address, &kept).await,
        200,
        "a token that was not revoked still works after the restart"
    );
    assert_eq!(
        me(&app.address, &revoked).await,
        401,
        "the logged-out token stays revoked after the restart"
    );
}

/// A second application on the same database, in this test process (its own memory cache).
struct Sibling {
    address: String,
    handle: evdms::startup::StopHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Sibling {
    async fn start(app: &TestApp, extra: &[(&str, &str)]) -> Self {
        let built = evdms::Application::build(common::settings(&app.database, extra))
            .await
            .expect("the second instance starts");
        let address = format!("http://127.0.0.1:{}", built.port());
        let handle = built.handle();
        let task = tokio::spawn(built.run_until_stopped());
        Self {
            address,
            handle,
            task,
        }
    }

    async fn stop(self) {
        self.handle.stop(true).await;
        self.task.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_logout_in_one_instance_reaches_another_within_the_refresh_interval() {
    let first = spawn_seeded_app_with(WITHOUT_REDIS).await;
    let second = Sibling::start(&first, WITHOUT_REDIS).await;
    let token = first.token(MANAGER_A).await;
    let other = first.token(ADMIN).await;
    assert_eq!(me(&second.address, &token).await, 200);

    // Logged out through the second instance, checked by the first.
    assert_eq!(logout(&second.address, &token).await, 204);
    let started = Instant::now();
    while me(&first.address, &token).await != 401 {
        assert!(
            started.elapsed() < PROPAGATION_BOUND,
            "the first instance still accepts the token after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(me(&second.address, &token).await, 401);
    assert_eq!(me(&first.address, &other).await, 200, "only that token");

    // Logout-all through the first: the second learns it too (session revocations).
    let again = common::token_at(&second.address, MANAGER_A).await;
    assert_eq!(me(&first.address, &again).await, 200);
    let all = status_of(
        reqwest::Method::POST,
        &first.address,
        "/api/v1/auth/logout-all",
        &again,
    );
    assert_eq!(all.await, 204);
    let started = Instant::now();
    while me(&second.address, &again).await != 401 {
        assert!(started.elapsed() < PROPAGATION_BOUND, "logout-all not seen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.stop().await;
}

const KEY: &str = "a-test-internal-key-0123456789";

#[tokio::test]
async fn the_revocation_feed_needs_the_internal_key() {
    let app = spawn_seeded_app_with(&[
        ("EVDMS__CACHE__REDIS_URL", ""),
        ("EVDMS__SECRETS__INTERNAL_KEY", KEY),
    ])
    .await;
    let token = app.token(MANAGER_A).await;
    let session = {
        let login = app.login(MANAGER_A, PASSWORD).await;
        let token = login["accessToken"].as_str().unwrap().to_owned();
        assert_eq!(logout(&app.address, &token).await, 204);
        login["sessionId"].as_str().unwrap().to_owned()
    };
    let anonymous = app.get("/api/v1/auth/revocations").await;
    common::problem(anonymous, 401).await;
    let user = app.get_as(&token, "/api/v1/auth/revocations").await;
    common::problem(user, 401).await;
    let feed = |key: &'static str, query: &'static str| {
        let request = app
            .client
            .get(app.url(&format!("/api/v1/auth/revocations{query}")))
            .header(kernel::internal::HEADER, key);
        async move { request.send().await.unwrap() }
    };
    common::problem(feed("a-wrong-internal-key-0123456789", "").await, 401).await;
    common::problem(feed(KEY, "?since=-1").await, 422).await;
    let page: serde_json::Value = feed(KEY, "?since=0").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|r| r["kind"] == "session" && r["id"] == session.as_str()),
        "{page}"
    );
    assert!(page["cursor"].as_i64().unwrap() > 0);
}

/// Split deployment: a service without the auth module learns a logout from the auth
/// service's revocation feed (no Redis). Postgres and RabbitMQ, like the other split tests.
#[tokio::test]
async fn a_service_without_the_auth_module_learns_logouts_from_the_feed() {
    let Some(broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let database = kernel::testing::TestDatabase::create().await;
    if !database.is_postgres() {
        return; // two processes share the database: this is the Postgres deployment
    }
    let (_auth, auth, _notification, notification_port) =
        common::split_auth_and(&database, &broker, "notification");
    let service = format!("http://127.0.0.1:{notification_port}/api/v1/notifications");

    let token = common::token_at(&auth, MANAGER_A).await;
    let other = common::token_at(&auth, ADMIN).await;
    let status = |token: String| {
        let request = reqwest::Client::new().get(&service).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(token.clone()).await, 200);
    assert_eq!(logout(&auth, &token).await, 204);
    let started = Instant::now();
    while status(token.clone()).await != 401 {
        assert!(
            started.elapsed() < PROPAGATION_BOUND,
            "the service still accepts the logged-out token"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status(other).await, 200, "only that token");
}
