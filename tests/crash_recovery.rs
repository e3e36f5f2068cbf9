//! Real processes killed at the worst moment: after committing an event but before relaying it
//! (the event is delivered once the service runs again), and after committing an idempotent
//! request but before answering it (the retry gets the first answer; the effect happens once).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kernel::testing::TestDatabase;
use std::time::{Duration, Instant};

#[tokio::test]
async fn an_event_committed_before_sigkill_is_delivered_after_restart() {
    let database = TestDatabase::create().await;
    assert!(common::evdms_command(&database)
        .arg("seed")
        .status()
        .unwrap()
        .success());

    // First life: relays off, so events stay in the outbox as if the process died right after
    // the commit. A user is created (auth.user_registered.v1), then the process is killed.
    let mut command = common::evdms_command(&database);
    command.env("EVDMS__BUS__RELAY_ENABLED", "false");
    let (first, port) = common::serve_process(command);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let token = common::token_at(&base, common::ADMIN).await;
    let created = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "email": "crash@evdms.dev", "name": "Crash Test", "role": "evm_staff", "password": "Outlives-the-kill-77" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    first.kill(); // SIGKILL: no graceful shutdown
    assert!(
        pending(&database, "crash@evdms.dev").await,
        "the event waits in the outbox"
    );

    // Second life: the relay delivers it.
    let (second, _) = common::serve_process(common::evdms_command(&database));
    let deadline = Instant::now() + Duration::from_secs(20);
    while pending(&database, "crash@evdms.dev").await {
        assert!(Instant::now() < deadline, "not delivered after restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill();
}

/// Whether the registration event of `email` is still undelivered.
async fn pending(database: &TestDatabase, email: &str) -> bool {
    use sea_orm::{ConnectionTrait, Statement};
    let db = common::connect(database).await;
    let sql =
        "SELECT status, payload FROM \"auth\".\"outbox\" WHERE name = 'auth.user_registered.v1'";
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.try_get::<String>("", "payload").unwrap().contains(email))
        .expect("the event was committed");
    let status: String = row.try_get("", "status").unwrap();
    status == "pending"
}

#[tokio::test]
async fn an_idempotent_request_killed_after_its_commit_replays_its_answer_once() {
    let database = TestDatabase::create().await;
    assert!(common::evdms_command(&database)
        .arg("seed")
        .status()
        .unwrap()
        .success());
    let body = serde_json::json!({ "email": "once@evdms.dev", "name": "Exactly Once", "role": "evm_staff", "password": "Committed-then-killed-77" });
    let create = |base: String, token: String| {
        let body = body.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/users"))
                .bearer_auth(token)
                .header("Idempotency-Key", "kill-after-commit")
                .json(&body)
                .send()
                .await
        }
    };

    // First life: the process aborts right after the request's transaction commits, before a
    // byte of the answer is written.
    let mut command = common::evdms_command(&database);
    command.env("EVDMS_TEST_ABORT_AFTER_IDEMPOTENT_COMMIT", "1");
    let (mut first, port) = common::serve_process(command);
    let base = format!("http://127.0.0.1:{port}");
    let token = common::token_at(&base, common::ADMIN).await;
    let lost = create(base, token.clone()).await;
    assert!(lost.is_err(), "the client never gets an answer: {lost:?}");
    let exit = first.0.wait().unwrap();
    assert!(!exit.success(), "the process died: {exit:?}");

    // Second life: the retry replays the answer the first request committed, and runs nothing.
    let (second, port) = common::serve_process(common::evdms_command(&database));
    let base = format!("http://127.0.0.1:{port}");
    let token = common::token_at(&base, common::ADMIN).await;
    let replay = create(base.clone(), token.clone()).await.unwrap();
    assert_eq!(replay.status(), 201);
    assert_eq!(
        replay.headers().get("idempotency-replayed").unwrap(),
        "true"
    );
    let user: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(user["email"], "once@evdms.dev");
    let page: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/users?q=once@evdms.dev"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1, "one user: {page}");
    assert_eq!(page["items"][0]["id"], user["id"]);
    second.kill();
}
