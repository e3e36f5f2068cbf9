//! `Idempotency-Key` on a creating POST (here `POST /api/v1/users`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{problem, spawn_seeded_app, TestApp, ADMIN, EVM};
use serde_json::json;

fn user(email: &str) -> serde_json::Value {
    json!({ "email": email, "name": "Keyed Person", "role": "evm_staff", "password": "Idempotent-secret-77" })
}

async fn create(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/users"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, token: &str, email: &str) -> u64 {
    let page: serde_json::Value = app
        .get_as(token, &format!("/api/v1/users?q={email}"))
        .await
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

#[tokio::test]
async fn the_same_key_and_body_replay_the_first_response() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let first = create(&app, &admin, "key-1", &user("keyed@evdms.dev")).await;
    assert_eq!(first.status(), 201);
    let location = first.headers().get("location").unwrap().to_owned();
    let first: serde_json::Value = first.json().await.unwrap();

    // A retry, even with a fresh token of the same user, gets the stored answer.
    let again_token = app.token(ADMIN).await;
    let replay = create(&app, &again_token, "key-1", &user("keyed@evdms.dev")).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(
        replay.headers().get("idempotency-replayed").unwrap(),
        "true"
    );
    assert_eq!(replay.headers().get("location").unwrap(), &location);
    let replay: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(replay["id"], first["id"]);
    assert_eq!(count(&app, &admin, "keyed@evdms.dev").await, 1);

    // The same key with another body is refused and changes nothing.
    let other = create(&app, &admin, "key-1", &user("other@evdms.dev")).await;
    assert_eq!(problem(other, 422).await["code"], "idempotency_key_reused");
    assert_eq!(count(&app, &admin, "other@evdms.dev").await, 0);

    // Keys belong to their caller: another user's identical key is independent.
    let evm = app.token(EVM).await;
    let theirs = create(&app, &evm, "key-1", &user("evm.keyed@evdms.dev")).await;
    assert_eq!(theirs.status(), 201);

    problem(
        create(&app, &admin, &"k".repeat(300), &user("long@evdms.dev")).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn concurrent_requests_with_one_key_run_once() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let body = user("racer@evdms.dev");
    let attempts = (0..6).map(|_| create(&app, &admin, "race-key", &body));
    let responses = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let fresh = responses
        .iter()
        .filter(|r| r.status() == 201 && r.headers().get("idempotency-replayed").is_none())
        .count();
    assert_eq!(fresh, 1, "exactly one request ran: {statuses:?}");
    assert_eq!(count(&app, &admin, "racer@evdms.dev").await, 1);
    for response in responses.into_iter().filter(|r| r.status() == 409) {
        assert_eq!(
            problem(response, 409).await["code"],
            "idempotency_in_flight"
        );
    }
}

#[tokio::test]
async fn a_failed_request_does_not_burn_its_key() {
    let app = spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    // A validation failure is a final answer: it is stored and replayed.
    let bad = json!({ "email": "x", "name": "X", "role": "evm_staff", "password": "Idempotent-secret-77" });
    problem(create(&app, &admin, "bad-key", &bad).await, 422).await;
    let replay = create(&app, &admin, "bad-key", &bad).await;
    assert_eq!(
        replay.headers().get("idempotency-replayed").unwrap(),
        "true"
    );
    problem(replay, 422).await;
    // Without a key, nothing is stored at all.
    let plain = app
        .post_as(&admin, "/api/v1/users", &user("plain@evdms.dev"))
        .await;
    assert_eq!(plain.status(), 201);
}
