//! The gateway in front of split services: one process hosts `auth`; another hosts
//! `notification` and proxies every `auth` prefix to the first. Needs RabbitMQ (the two modules
//! talk through it); skipped without EVDMS_TEST_AMQP_URL, failed when services are required.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{serve_process, split_service_command, ADMIN, PASSWORD};
use kernel::testing::{TestBroker, TestDatabase};

#[tokio::test]
async fn the_gateway_proxies_prefixes_it_does_not_host() {
    let Some(broker) = TestBroker::create() else {
        return;
    };
    let database = TestDatabase::create().await;
    let with = |modules: &str| split_service_command(&database, &broker, modules);
    assert!(with("auth").arg("seed").status().unwrap().success());
    let (_auth, auth_port) = serve_process(with("auth"));
    let mut front = with("notification");
    front.env(
        "EVDMS__SERVICES__AUTH__URL",
        format!("http://127.0.0.1:{auth_port}"),
    );
    let (_front, port) = serve_process(front);
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::new();

    // Proxied: login and the caller's profile come from the auth process.
    let login = client
        .post(format!("{base}/auth/login"))
        .header("x-request-id", "through-the-gateway")
        .json(&serde_json::json!({ "email": ADMIN, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert_eq!(
        login.headers().get("x-request-id").unwrap(),
        "through-the-gateway"
    );
    let token = login.json::<serde_json::Value>().await.unwrap()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = client
        .get(format!("{base}/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<serde_json::Value>().await.unwrap()["email"],
        ADMIN
    );
    // Problems pass through untouched.
    let missing = client
        .get(format!("{base}/users/{}", uuid::Uuid::nil()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    // Local: the front process serves notifications itself (token checked with the JWKS).
    let inbox = client
        .get(format!("{base}/notifications"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    // A module neither here nor configured: 503, not a silent 404.
    let dealers = client
        .get(format!("{base}/dealers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(dealers.status(), 503);
    // The gateway's readiness includes its upstream.
    let ready: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["checks"]["service.auth"]["status"], "up", "{ready}");
}
