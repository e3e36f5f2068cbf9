//! The end-to-end harness: the real application on port 0 with a fresh database per test
//! (SQLite in a temp dir, or a new Postgres database when EVDMS_TEST_DATABASE_URL is set).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use evdms::Application;
use kernel::{
    config::{Environment, Settings},
    testing::TestDatabase,
};
use std::path::Path;

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    handle: evdms::startup::StopHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Per-test Redis key prefix, so parallel tests never see each other's keys.
fn redis_vars() -> Vec<(String, String)> {
    match kernel::testing::service_url("EVDMS_TEST_REDIS_URL") {
        Some(url) => vec![
            ("EVDMS__CACHE__REDIS_URL".to_owned(), url),
            (
                "EVDMS__CACHE__KEY_PREFIX".to_owned(),
                format!("evdms-test:{}:", uuid::Uuid::new_v4().simple()),
            ),
        ],
        None => Vec::new(),
    }
}

pub fn settings(database: &TestDatabase, extra: &[(&str, &str)]) -> Settings {
    let mut vars = vec![
        ("EVDMS__DATABASE__URL".to_owned(), database.url.clone()),
        (
            "EVDMS__DATA__DIR".to_owned(),
            database.data_dir.to_string_lossy().into_owned(),
        ),
        ("EVDMS__SERVER__PORT".to_owned(), "0".to_owned()),
        ("EVDMS__SERVER__WORKERS".to_owned(), "1".to_owned()),
        (
            "EVDMS__DATABASE__MAX_CONNECTIONS".to_owned(),
            "8".to_owned(),
        ),
    ];
    // The database's own settings (e.g. the per-test Redis), then the test's.
    vars.extend(database.extra_vars.iter().cloned());
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let config_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let settings =
        Settings::load_from(Environment::Test, &config_dir, vars).expect("test settings");
    if std::env::var("EVDMS_TEST_LOG").is_ok() {
        kernel::telemetry::init(&kernel::config::LogSettings {
            format: kernel::config::LogFormat::Pretty,
            level: "debug,sqlx=warn,sea_orm=info".into(),
        });
    }
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut database = TestDatabase::create().await;
    database.extra_vars = redis_vars();
    spawn_on(database, extra).await
}

/// An app with the six demo accounts (password [`PASSWORD`]).
pub async fn spawn_seeded_app() -> TestApp {
    spawn_seeded_app_with(&[]).await
}

pub async fn spawn_seeded_app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut database = TestDatabase::create().await;
    database.extra_vars = redis_vars();
    evdms::startup::seed_all(settings(&database, extra))
        .await
        .expect("seeding");
    spawn_on(database, extra).await
}

pub const PASSWORD: &str = "ChangeMe-123!";
pub const ADMIN: &str = "admin@evdms.dev";
pub const EVM: &str = "evm@evdms.dev";
pub const MANAGER_A: &str = "manager@dealer-a.evdms.dev";
pub const STAFF_A: &str = "staff@dealer-a.evdms.dev";
pub const MANAGER_B: &str = "manager@dealer-b.evdms.dev";
pub const STAFF_B: &str = "staff@dealer-b.evdms.dev";

/// Starts the application on an existing test database (e.g. to restart after a stop).
pub async fn spawn_on(database: TestDatabase, extra: &[(&str, &str)]) -> TestApp {
    let app = Application::build(settings(&database, extra))
        .await
        .expect("application starts");
    let port = app.port();
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        database,
        handle,
        task,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Stops the server gracefully and gives back the database (to restart on it).
    pub async fn stop(self) -> TestDatabase {
        self.handle.stop(true).await;
        self.task.await.expect("server task").expect("clean stop");
        self.database
    }
}

/// Asserts a problem+json response and returns its body.
pub async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .expect("content type")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    body
}

/// A 422 problem naming `field` (among its errors), the answer to input refused at the edge.
pub async fn refused(response: reqwest::Response, field: &str, what: &str) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    assert_eq!(status, 422, "{what}: {body}");
    assert_eq!(body["code"], "validation_failed", "{what}: {body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&field), "{what}: {field} not in {body}");
}

/// The `total` of a list page.
pub async fn total(app: &TestApp, token: &str, path: &str) -> u64 {
    let page: serde_json::Value = app.get_as(token, path).await.json().await.unwrap();
    page["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("{path}: {page}"))
}

/// A connection of the test's own to the database of a test app (all six schemas).
pub async fn connect(database: &TestDatabase) -> kernel::Db {
    let settings = settings(database, &[]);
    kernel::db::connect(
        &settings.database_kind().unwrap(),
        &settings.database,
        &contracts::modules::ALL,
    )
    .await
    .unwrap()
}

/// A migrated, seeded database of one test and a connection to it, for use cases called
/// without HTTP.
pub async fn seeded_database() -> (TestDatabase, kernel::Db) {
    let database = TestDatabase::create().await;
    evdms::startup::seed_all(settings(&database, &[]))
        .await
        .expect("seeding");
    let db = connect(&database).await;
    (database, db)
}

/// Demo account `index` (see `contracts::seed::DEMO_USERS`: 0 admin, 1 OEM staff, 2 and 3
/// dealer A's manager and salesperson, 4 and 5 dealer B's) as a verified token hands it to the
/// use cases.
pub fn demo_caller(index: usize) -> kernel::Caller {
    use contracts::seed::{DEMO_USERS, DEMO_USER_IDS};
    let (email, name, role, dealer_id, branch_id) = DEMO_USERS[index];
    kernel::Caller {
        subject: DEMO_USER_IDS[index],
        role: role.parse().expect("a demo role"),
        dealer_id,
        branch_id,
        email: email.to_owned(),
        name: name.to_owned(),
        scopes: Vec::new(),
        token_id: uuid::Uuid::now_v7().to_string(),
        session_id: None,
        expires_at: i64::MAX,
    }
}

/// The events in a module's outbox (name, payload), oldest first.
pub async fn outbox_events(app: &TestApp, schema: &str) -> Vec<(String, serde_json::Value)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = connect(&app.database).await;
    let sql = format!("SELECT name, payload FROM \"{schema}\".\"outbox\" ORDER BY seq");
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let payload: String = r.try_get("", "payload").unwrap();
            (
                r.try_get("", "name").unwrap(),
                serde_json::from_str(&payload).unwrap(),
            )
        })
        .collect()
}

impl TestApp {
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Logs in and returns the whole token response.
    pub async fn login(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(response.status(), 200, "login of {email}");
        response.json().await.expect("token response")
    }

    /// Logs in with the demo password and returns the access token.
    pub async fn token(&self, email: &str) -> String {
        self.login(email, PASSWORD).await["accessToken"]
            .as_str()
            .expect("access token")
            .to_owned()
    }
}

/// Logs in with the demo password at the server `base` (e.g. a separate process) and returns
/// the access token.
pub async fn token_at(base: &str, email: &str) -> String {
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("token response");
    login["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// `evdms` as a separate process on a test database (port 0, one worker, test settings).
pub fn evdms_command(database: &TestDatabase) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_evdms"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EVDMS_ENV", "test")
        .env("EVDMS__DATABASE__URL", &database.url)
        .env("EVDMS__DATA__DIR", &database.data_dir)
        .env("EVDMS__SERVER__PORT", "0")
        .env("EVDMS__SERVER__WORKERS", "1")
        // The test level (warn), plus the line that says where the server listens.
        .env("EVDMS__LOG__LEVEL", "warn,evdms::cli=info");
    command
}

/// `evdms` hosting only `modules` (comma-separated), with events through the test's broker.
pub fn split_service_command(
    database: &TestDatabase,
    broker: &kernel::testing::TestBroker,
    modules: &str,
) -> std::process::Command {
    let mut command = evdms_command(database);
    command
        .env("EVDMS__BUS__AMQP_URL", &broker.url)
        .env("EVDMS__BUS__BROKER_PREFIX", &broker.prefix)
        .env("EVDMS__MODULES__ENABLED", modules);
    command
}

/// A split deployment on a seeded database: a process hosting only `auth`, and one hosting
/// only `module` that verifies tokens through it. Returns both, the auth process's base URL and
/// the other's port.
pub fn split_auth_and(
    database: &TestDatabase,
    broker: &kernel::testing::TestBroker,
    module: &str,
) -> (Process, String, Process, u16) {
    assert!(split_service_command(database, broker, "auth")
        .arg("seed")
        .status()
        .unwrap()
        .success());
    let (auth, auth_port) = serve_process(split_service_command(database, broker, "auth"));
    let auth_base = format!("http://127.0.0.1:{auth_port}");
    let mut other = split_service_command(database, broker, module);
    other.env("EVDMS__SERVICES__AUTH__URL", &auth_base);
    let (other, port) = serve_process(other);
    (auth, auth_base, other, port)
}

/// A child process that is killed when dropped.
pub struct Process(pub std::process::Child);

impl Process {
    /// SIGKILL: no graceful shutdown.
    pub fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The port in the log line `EVDMS listening on port N` (pretty or JSON), if `line` is it.
pub fn listening_port(line: &str) -> Option<u16> {
    let rest = line.split("EVDMS listening on port ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Runs `evdms serve` from `command` and returns it with the port it logged. The log (stderr)
/// keeps being read, and shown with `EVDMS_TEST_LOG`, so the server never blocks on it.
pub fn serve_process(mut command: std::process::Command) -> (Process, u16) {
    use std::io::BufRead;
    let mut child = command
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let show = std::env::var("EVDMS_TEST_LOG").is_ok();
    let port = loop {
        let line = lines.next().expect("the server logs its port").unwrap();
        if show {
            eprintln!("{line}");
        }
        if let Some(port) = listening_port(&line) {
            break port;
        }
    };
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if show {
                eprintln!("{line}");
            }
        }
    });
    (Process(child), port)
}

/// Polls `check` until it returns something, for at most ~10 s (events are asynchronous).
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
