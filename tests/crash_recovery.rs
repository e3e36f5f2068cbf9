//! A real process killed (SIGKILL) after committing an event but before relaying it: the event is
//! delivered once the service runs again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kernel::testing::TestDatabase;
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn evdms(database: &TestDatabase, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evdms"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EVDMS_ENV", "test")
        .env("EVDMS__DATABASE__URL", &database.url)
        .env("EVDMS__DATA__DIR", &database.data_dir)
        .env("EVDMS__SERVER__PORT", "0")
        .env("EVDMS__SERVER__WORKERS", "1");
    for (key, value) in extra {
        command.env(key, value);
    }
    command
}

/// Starts `evdms serve` and returns it with the port it printed.
fn serve(database: &TestDatabase, extra: &[(&str, &str)]) -> (Child, u16) {
    let mut child = evdms(database, &["serve"], extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines.next().expect("the server prints its port").unwrap();
        if let Some(port) = line.strip_prefix("EVDMS listening on port ") {
            break port.trim().parse().unwrap();
        }
    };
    (child, port)
}

#[tokio::test]
async fn an_event_committed_before_sigkill_is_delivered_after_restart() {
    let database = TestDatabase::create().await;
    assert!(evdms(&database, &["seed"], &[]).status().unwrap().success());

    // First life: relays off, so events stay in the outbox as if the process died right after
    // the commit. A user is created (auth.user_registered.v1), then the process is killed.
    let (mut first, port) = serve(&database, &[("EVDMS__BUS__RELAY_ENABLED", "false")]);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": common::ADMIN, "password": common::PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["accessToken"].as_str().unwrap();
    let created = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "email": "crash@evdms.dev", "name": "Crash Test", "role": "evm_staff", "password": "Outlives-the-kill-77" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    first.kill().unwrap(); // SIGKILL: no graceful shutdown
    first.wait().unwrap();
    assert!(
        pending(&database, "crash@evdms.dev").await,
        "the event waits in the outbox"
    );

    // Second life: the relay delivers it.
    let (mut second, _) = serve(&database, &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while pending(&database, "crash@evdms.dev").await {
        assert!(Instant::now() < deadline, "not delivered after restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
}

/// Whether the registration event of `email` is still undelivered.
async fn pending(database: &TestDatabase, email: &str) -> bool {
    use sea_orm::{ConnectionTrait, Statement};
    let settings = common::settings(database, &[]);
    let db = kernel::db::connect(
        &settings.database_kind().unwrap(),
        &settings.database,
        &contracts::modules::ALL,
    )
    .await
    .unwrap();
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
