//! Two processes of the same build — one hosting only `auth`, one only `notification` — share
//! PostgreSQL and RabbitMQ: an event raised in the first is consumed in the second exactly once.
//! Needs EVDMS_TEST_DATABASE_URL and EVDMS_TEST_AMQP_URL (skipped otherwise, failed when required).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kernel::testing::TestDatabase;
use std::time::{Duration, Instant};

#[tokio::test]
async fn an_event_raised_in_one_process_is_consumed_in_another_exactly_once() {
    // Deletes the test's queues and exchanges when the test ends, even on failure.
    let Some(broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let database = TestDatabase::create().await;
    if !database.is_postgres() {
        return; // two processes share the database: this is the Postgres deployment
    }
    let (_auth, auth_base, _notification, notification_port) =
        common::split_auth_and(&database, &broker, "notification");

    let client = reqwest::Client::new();
    let auth = format!("{auth_base}/api/v1");
    let login = |email: &'static str, password: &'static str| {
        let request = client
            .post(format!("{auth}/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }));
        async move {
            request
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let admin = login(common::ADMIN, common::PASSWORD).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = client
        .post(format!("{auth}/users"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "email": "remote@evdms.dev", "name": "Remote Reader", "role": "evm_staff", "password": "Across-processes-42" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let user: serde_json::Value = created.json().await.unwrap();
    let token = login("remote@evdms.dev", "Across-processes-42").await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    // The notification process verifies the admin's token through the auth process's JWKS and
    // shows, in its delivery ledger, the welcome mail it made from auth.user_registered.v1.
    let ledger = format!(
        "http://127.0.0.1:{notification_port}/api/v1/admin/notifications/deliveries?event=auth.user_registered.v1&recipient=user:{}",
        user["id"].as_str().unwrap()
    );
    let fetch = || async {
        client
            .get(&ledger)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let page = loop {
        let page = fetch().await;
        if page["total"].as_u64().unwrap_or(0) > 0 {
            break page;
        }
        assert!(
            Instant::now() < deadline,
            "the welcome mail never arrived: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(page["items"][0]["address"], "remote@evdms.dev");
    // Redeliveries (none expected here) could not add a second one; wait a little to be sure.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fetch().await["total"], 1, "exactly once");
    // The auth process does not host notifications.
    let elsewhere = client
        .get(format!("{auth}/notifications"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 503);

    drop((_auth, _notification));
}
