//! A real process killed (SIGKILL) after committing an event but before relaying it: the event is
//! delivered once the service runs again.

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
