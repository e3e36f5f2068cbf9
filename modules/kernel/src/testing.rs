//! Test harness: a fresh database per test, chosen by the environment.
//!
//! SQLite in a temporary directory by default. With `EVDMS_TEST_DATABASE_URL` (a Postgres URL
//! whose user may create databases) each test gets its own database `evdms_t_<unix>_<random>`,
//! dropped when the guard goes; leftovers of crashed runs older than an hour are swept.
//! `EVDMS_TEST_REQUIRE_SERVICES=1` turns "service not configured" into a failure.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, Database};
use std::path::PathBuf;

const PREFIX: &str = "evdms_t_";

/// Whether missing services must fail the run instead of skipping.
pub fn services_required() -> bool {
    std::env::var("EVDMS_TEST_REQUIRE_SERVICES")
        .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The URL of an optional test service, or `None` (test should skip) — panics when required.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if services_required() && variable != "EVDMS_TEST_MONGO_URL" => {
            panic!("{variable} is not set but EVDMS_TEST_REQUIRE_SERVICES=1")
        }
        _ => None,
    }
}

/// A database made for one test.
pub struct TestDatabase {
    /// What to put in `database.url` (empty = SQLite in `data_dir`).
    pub url: String,
    pub data_dir: PathBuf,
    pub postgres_name: Option<String>,
    /// Further settings of the test (e.g. a per-test Redis key prefix), as EVDMS__ variables.
    pub extra_vars: Vec<(String, String)>,
    admin_url: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let data_dir = dir.path().to_path_buf();
        let Some(admin_url) = service_url("EVDMS_TEST_DATABASE_URL") else {
            return Self {
                url: String::new(),
                data_dir,
                postgres_name: None,
                extra_vars: Vec::new(),
                admin_url: None,
                _dir: dir,
            };
        };
        let admin = Database::connect(&admin_url)
            .await
            .expect("connecting to EVDMS_TEST_DATABASE_URL");
        sweep(&admin).await;
        let name = format!(
            "{PREFIX}{}_{}",
            chrono::Utc::now().timestamp(),
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..12)
                .unwrap_or("x")
        );
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("creating the test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("EVDMS_TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        Self {
            url: url.to_string(),
            data_dir,
            postgres_name: Some(name),
            extra_vars: Vec::new(),
            admin_url: Some(admin_url),
            _dir: dir,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres_name.is_some()
    }
}

/// Runs cleanup from `Drop`, which executes inside the test's runtime where blocking on a future
/// is not allowed: a separate thread with its own runtime may block.
fn block_on_fresh_runtime(cleanup: impl std::future::Future<Output = ()> + Send + 'static) {
    let handle = std::thread::spawn(move || {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(cleanup),
            Err(error) => eprintln!("no runtime for test cleanup: {error}"),
        }
    });
    handle.join().ok();
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.remove_redis_keys();
        let (Some(name), Some(admin_url)) = (self.postgres_name.clone(), self.admin_url.clone())
        else {
            return;
        };
        block_on_fresh_runtime(async move {
            if let Ok(admin) = Database::connect(&admin_url).await {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(error) = admin.execute_unprepared(&sql).await {
                    eprintln!("could not drop test database {name}: {error}");
                }
                admin.close().await.ok();
            }
        });
    }
}

impl TestDatabase {
    /// Deletes the Redis keys written under this test's prefix (they would expire anyway).
    fn remove_redis_keys(&self) {
        let var = |name: &str| {
            self.extra_vars
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let (Some(url), Some(prefix)) = (
            var("EVDMS__CACHE__REDIS_URL"),
            var("EVDMS__CACHE__KEY_PREFIX"),
        ) else {
            return;
        };
        block_on_fresh_runtime(async move {
            use deadpool_redis::redis;
            let Ok(pool) = deadpool_redis::Config::from_url(url)
                .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            else {
                return;
            };
            let Ok(mut conn) = pool.get().await else {
                return;
            };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{prefix}*"))
                .query_async(&mut conn)
                .await
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: Result<(), _> = redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
            }
        });
    }
}

/// Drops test databases left by crashed runs (created more than an hour ago).
async fn sweep(admin: &sea_orm::DatabaseConnection) {
    let cutoff = chrono::Utc::now().timestamp() - 3600;
    let sql = format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'");
    let Ok(rows) = admin
        .query_all(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            sql,
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let created = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|ts| ts.parse::<i64>().ok());
        if created.is_some_and(|t| t < cutoff) {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .ok();
        }
    }
}

/// A per-test RabbitMQ namespace (`evdms-test-<random>`); its queues and exchanges are deleted
/// when the guard goes, also when the test panics.
pub struct TestBroker {
    pub url: String,
    pub prefix: String,
}

impl TestBroker {
    /// `None` (skip) without EVDMS_TEST_AMQP_URL; panics when services are required.
    pub fn create() -> Option<Self> {
        let url = service_url("EVDMS_TEST_AMQP_URL")?;
        Some(Self {
            url,
            prefix: format!("evdms-test-{}", uuid::Uuid::new_v4().simple()),
        })
    }

    fn topology(&self) -> std::sync::Arc<crate::events::rabbitmq::Broker> {
        let queues = contracts::events::SUBSCRIPTIONS
            .iter()
            .map(|(module, _)| (*module).to_owned())
            .chain(["consumer".to_owned()])
            .map(|module| crate::events::rabbitmq::QueueSpec {
                module,
                events: Vec::new(),
            })
            .collect();
        crate::events::rabbitmq::Broker::new(&self.url, &self.prefix, queues)
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        let broker = self.topology();
        block_on_fresh_runtime(async move {
            if let Err(error) = broker.delete_topology().await {
                eprintln!("could not delete the test broker topology: {error}");
            }
        });
    }
}
