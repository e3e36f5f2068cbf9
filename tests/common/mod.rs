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
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
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
    let database = TestDatabase::create().await;
    spawn_on(database, extra).await
}

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
