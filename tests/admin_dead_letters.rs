//! Dead letters through the admin API: a poison event ends up dead-lettered (by the relay
//! in-process, in the DLQ with RabbitMQ), is listed, redriven, and deleted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, spawn_seeded_app_with, TestApp, ADMIN, EVM};
use kernel::events::{publish_envelope, EventEnvelope};
use std::time::{Duration, Instant};

/// An auth.user_registered.v1 whose payload no consumer can read.
async fn publish_poison(app: &TestApp) -> uuid::Uuid {
    let db = common::connect(&app.database).await;
    let envelope = EventEnvelope {
        id: uuid::Uuid::now_v7(),
        name: "auth.user_registered.v1".into(),
        occurred_at: chrono::Utc::now(),
        source: "auth".into(),
        aggregate_id: "poison".into(),
        correlation_id: None,
        payload: serde_json::json!({ "unexpected": true }),
    };
    let mut txn = db.begin().await.unwrap();
    publish_envelope(&mut txn, "auth", &envelope).await.unwrap();
    txn.commit().await.unwrap();
    envelope.id
}

async fn dead_letters(app: &TestApp, token: &str) -> Vec<serde_json::Value> {
    let response = app
        .get_as(
            token,
            "/api/v1/admin/dead-letters?module=notification&event=auth.user_registered.v1",
        )
        .await;
    let mut letters: Vec<serde_json::Value> = response.json().await.unwrap();
    // The relay's own dead letters sit in the publisher's (auth) outbox.
    let relay: Vec<serde_json::Value> = app
        .get_as(token, "/api/v1/admin/dead-letters?module=auth")
        .await
        .json()
        .await
        .unwrap();
    letters.extend(relay);
    letters
}

async fn await_dead_letter(app: &TestApp, token: &str, id: uuid::Uuid) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(letter) = dead_letters(app, token)
            .await
            .into_iter()
            .find(|l| l["id"] == id.to_string())
        {
            return letter;
        }
        assert!(Instant::now() < deadline, "{id} never became a dead letter");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn exercise(app: TestApp, origin: &str) {
    let admin = app.token(ADMIN).await;
    problem(
        app.get_as(&app.token(EVM).await, "/api/v1/admin/dead-letters")
            .await,
        403,
    )
    .await;
    let poison = publish_poison(&app).await;

    let letter = await_dead_letter(&app, &admin, poison).await;
    assert_eq!(letter["origin"], origin);
    assert_eq!(letter["event"], "auth.user_registered.v1");
    assert!(
        letter["error"]
            .as_str()
            .unwrap_or_default()
            .contains("missing field"),
        "{letter}"
    );

    // Redriven, it fails again and comes back.
    let redrive = app
        .post_as(
            &admin,
            &format!("/api/v1/admin/dead-letters/{poison}/redrive"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(redrive.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    await_dead_letter(&app, &admin, poison).await;

    // Each consuming module dead-letters its own copy (with RabbitMQ, dealer's too): delete the
    // one listed here.
    let module = letter["module"].as_str().unwrap().to_owned();
    let delete = |id: uuid::Uuid| {
        app.client
            .delete(app.url(&format!("/api/v1/admin/dead-letters/{id}?module={module}")))
            .bearer_auth(&admin)
            .send()
    };
    assert_eq!(delete(poison).await.unwrap().status(), 204);
    assert!(dead_letters(&app, &admin)
        .await
        .iter()
        .all(|l| l["id"] != poison.to_string()));
    problem(delete(poison).await.unwrap(), 404).await;

    let outbox: Vec<serde_json::Value> = app
        .get_as(&admin, "/api/v1/admin/outbox")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outbox.len(), 6);
    assert!(outbox.iter().all(|m| m["dead"] == 0), "{outbox:?}");
    // Over RabbitMQ each consuming module shows its consumer's lag; in-process there is none.
    let notification = outbox
        .iter()
        .find(|m| m["module"] == "notification")
        .expect("the notification module");
    if origin == "rabbitmq" {
        let consumer = &notification["consumer"];
        assert_eq!(consumer["connected"], true, "{consumer}");
        assert!(consumer["oldestUnhandledAgeSecs"].is_i64(), "{consumer}");
        // The queue depth is known after the consumer's first look (every 2 s).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let outbox: Vec<serde_json::Value> = app
                .get_as(&admin, "/api/v1/admin/outbox")
                .await
                .json()
                .await
                .unwrap();
            let queued = outbox
                .iter()
                .find(|m| m["module"] == "notification")
                .map(|m| m["consumer"]["queued"].clone());
            if queued.as_ref().is_some_and(serde_json::Value::is_i64) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{queued:?}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    } else {
        assert!(notification["consumer"].is_null(), "{notification}");
    }
    // Stop relays and consumers before the broker guard deletes the topology.
    app.stop().await;
}

#[tokio::test]
async fn in_process_dead_letters_are_listed_redriven_and_deleted() {
    let app = spawn_seeded_app_with(&[("EVDMS__BUS__TRANSPORT", "in-process")]).await;
    exercise(app, "outbox").await;
}

#[tokio::test]
async fn rabbitmq_dead_letters_are_listed_redriven_and_deleted() {
    let Some(broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let app = spawn_seeded_app_with(&[
        ("EVDMS__BUS__TRANSPORT", "rabbitmq"),
        ("EVDMS__BUS__AMQP_URL", broker.url.as_str()),
        ("EVDMS__BUS__BROKER_PREFIX", broker.prefix.as_str()),
    ])
    .await;
    exercise(app, "rabbitmq").await;
}
