//! JSON logs as a log shipper reads them: every line that `evdms serve` writes, on stdout and
//! stderr, from start-up through requests and events to a graceful shutdown, is one JSON object
//! with no repeated key (checked by a strict parser). On SQLite one monolith process; with
//! PostgreSQL and RabbitMQ (EVDMS_TEST_DATABASE_URL, EVDMS_TEST_AMQP_URL) a split run: auth in
//! one process, every other module in a second, events crossing through RabbitMQ.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kernel::testing::TestDatabase;
use serde_json::{json, Value};
use std::{
    io::BufRead,
    process::{Child, Command, Stdio},
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

/// Every line a process wrote, with the stream it came on.
type Lines = Arc<Mutex<Vec<(String, &'static str, String)>>>;

struct Server {
    name: String,
    child: Child,
    port: u16,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `evdms serve` with JSON logs at debug, collecting every line of both streams into
/// `lines`; returns once the server has logged its port.
fn serve(name: &str, mut command: Command, lines: &Lines) -> Server {
    let mut child = command
        .arg("serve")
        .env("EVDMS__LOG__FORMAT", "json")
        .env("EVDMS__LOG__LEVEL", "debug,sqlx=warn,sea_orm=info")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (port_found, port) = mpsc::channel::<u16>();
    let mut readers = Vec::new();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let streams: [(&'static str, Box<dyn std::io::Read + Send>); 2] =
        [("stdout", Box::new(stdout)), ("stderr", Box::new(stderr))];
    for (stream, reader) in streams {
        let lines = lines.clone();
        let process = name.to_owned();
        let port_found = port_found.clone();
        readers.push(std::thread::spawn(move || {
            for line in std::io::BufReader::new(reader)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(port) = common::listening_port(&line) {
                    let _ = port_found.send(port);
                }
                lines.lock().unwrap().push((process.clone(), stream, line));
            }
        }));
    }
    let port = port
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("{name} did not log its port: {:#?}", lines.lock().unwrap()));
    Server {
        name: name.to_owned(),
        child,
        port,
        readers,
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGTERM, then waits for a clean exit and for the last lines.
    fn shut_down(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut exited = None;
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                exited = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = exited.unwrap_or_else(|| panic!("{} did not stop on SIGTERM", self.name));
        assert!(status.success(), "{} exited with {status}", self.name);
        for reader in std::mem::take(&mut self.readers) {
            reader.join().unwrap();
        }
    }
}

async fn login(client: &reqwest::Client, auth: &Server, password: &str) -> reqwest::Response {
    client
        .post(auth.url("/api/v1/auth/login"))
        .json(&json!({ "email": common::ADMIN, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_log_line_of_a_run_is_one_json_object_without_repeated_keys() {
    let broker = kernel::testing::TestBroker::create();
    let database = TestDatabase::create().await;
    let lines: Lines = Arc::default();
    let split = broker.is_some() && database.is_postgres();
    // The demo accounts, by `evdms seed` (its log is checked too; "seeded" on stdout is the
    // command's result, not a log line).
    let mut seed = match &broker {
        Some(broker) if split => common::split_service_command(&database, broker, "auth"),
        _ => common::evdms_command(&database),
    };
    let seeded = seed
        .arg("seed")
        .env("EVDMS__LOG__FORMAT", "json")
        .env("EVDMS__LOG__LEVEL", "debug,sqlx=warn,sea_orm=info")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(seeded.status.success());
    assert_eq!(String::from_utf8_lossy(&seeded.stdout), "seeded\n");
    for line in String::from_utf8_lossy(&seeded.stderr).lines() {
        lines
            .lock()
            .unwrap()
            .push(("seed".into(), "stderr", line.to_owned()));
    }
    let (auth, others) = match &broker {
        Some(broker) if split => {
            let auth = serve(
                "auth",
                common::split_service_command(&database, broker, "auth"),
                &lines,
            );
            let mut rest = common::split_service_command(
                &database,
                broker,
                "manufacturer,dealer,customer,report,notification",
            );
            rest.env("EVDMS__SERVICES__AUTH__URL", auth.url(""));
            let rest = serve("others", rest, &lines);
            (auth, Some(rest))
        }
        _ => (
            serve("monolith", common::evdms_command(&database), &lines),
            None,
        ),
    };
    let other = others.as_ref().unwrap_or(&auth);

    let client = reqwest::Client::new();
    assert_eq!(login(&client, &auth, "wrong password").await.status(), 401);
    let admin: Value = login(&client, &auth, common::PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let admin = admin["accessToken"].as_str().unwrap().to_owned();
    let created = client
        .post(auth.url("/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({ "email": "logged@evdms.dev", "name": "Logged Person", "role": "evm_staff", "password": "Strict-parsers-42" }))
        .send()
        .await
        .unwrap();
    let status = created.status();
    let user: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "{user}");
    // Another module (in the other process when split) reads with the same token and sees the
    // event about the new user.
    let manufacturers = client
        .get(other.url("/api/v1/manufacturers"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(manufacturers.status(), 200);
    let ledger = other.url(&format!(
        "/api/v1/admin/notifications/deliveries?event=auth.user_registered.v1&recipient=user:{}",
        user["id"].as_str().unwrap()
    ));
    common::eventually("the welcome message of the new user", || async {
        let page: Value = client
            .get(&ledger)
            .bearer_auth(&admin)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (page["total"].as_u64()? > 0).then_some(())
    })
    .await;
    for path in ["/health", "/ready", "/api/v1/no-such-thing"] {
        client.get(other.url(path)).send().await.unwrap();
    }

    if let Some(others) = others {
        others.shut_down();
    }
    auth.shut_down();

    let lines = lines.lock().unwrap();
    let mut levels = std::collections::BTreeMap::<String, usize>::new();
    for (process, stream, line) in lines.iter() {
        let parsed = kernel::telemetry::parse_strict(line)
            .unwrap_or_else(|e| panic!("{process} {stream}: {e}: {line}"));
        for key in ["timestamp", "level", "target"] {
            assert!(parsed[key].is_string(), "{process} {stream} {key}: {line}");
        }
        assert!(parsed["fields"].is_object(), "{process} {stream}: {line}");
        assert_eq!(*stream, "stderr", "logs go to stderr: {line}");
        *levels
            .entry(parsed["level"].as_str().unwrap().to_owned())
            .or_default() += 1;
        assert!(
            !line.contains("returned us a message"),
            "an unrouted event is not a warning: {line}"
        );
    }
    let all: Vec<&str> = lines.iter().map(|(_, _, l)| l.as_str()).collect();
    let has = |text: &str| all.iter().any(|l| l.contains(text));
    assert!(has("EVDMS listening on port"), "start-up is logged");
    assert!(has("configuration: test environment from"), "the sources");
    assert!(
        levels.get("DEBUG").copied().unwrap_or(0) > 0
            && levels.get("INFO").copied().unwrap_or(0) > 0,
        "{levels:?}"
    );
}
