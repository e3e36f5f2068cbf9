//! Fixtures shared by the event suites: a database with a producer and a consumer schema, a
//! recording handler, and helpers to publish and inspect.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use kernel::{
    config::{DatabaseKind, DatabaseSettings},
    db::{Db, WriteTxn},
    events::{
        outbox, publish_envelope, EventEnvelope, EventHandler, InProcessTransport, Relay,
        RelaySettings, Transport,
    },
    migrate::{self, EventTables, SchemaMigrations},
    testing::TestDatabase,
};
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use uuid::Uuid;

pub const PRODUCER: &str = "producer";
pub const CONSUMER: &str = "consumer";
pub const EVENT: &str = "producer.thing_happened.v1";

struct EffectsTable;
impl MigrationName for EffectsTable {
    fn name(&self) -> &str {
        "m20261125_000002_effects"
    }
}
#[async_trait::async_trait]
impl MigrationTrait for EffectsTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let key = if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            "n BIGSERIAL PRIMARY KEY"
        } else {
            "n INTEGER PRIMARY KEY AUTOINCREMENT"
        };
        let sql = format!(
            "CREATE TABLE \"{CONSUMER}\".\"effects\" ({key}, event_id VARCHAR(64) NOT NULL, \
             handler VARCHAR(64) NOT NULL, aggregate_id VARCHAR(64) NOT NULL)"
        );
        manager
            .get_connection()
            .execute_unprepared(&sql)
            .await
            .map(|_| ())
    }
}

pub struct Harness {
    pub db: Db,
    pub database: TestDatabase,
}

pub async fn harness() -> Harness {
    let database = TestDatabase::create().await;
    let kind = if database.is_postgres() {
        DatabaseKind::Postgres {
            url: database.url.clone().into(),
        }
    } else {
        DatabaseKind::Sqlite {
            main_file: database.data_dir.join("main.db"),
        }
    };
    let settings = DatabaseSettings {
        url: String::new().into(),
        max_connections: 8,
        min_connections: 1,
        acquire_timeout_secs: 10,
        run_migrations: true,
    };
    let db = kernel::db::connect(&kind, &settings, &[PRODUCER, CONSUMER])
        .await
        .unwrap();
    let producer = SchemaMigrations {
        schema: PRODUCER,
        migrations: || vec![Box::new(EventTables { schema: PRODUCER })],
    };
    let consumer = SchemaMigrations {
        schema: CONSUMER,
        migrations: || {
            vec![
                Box::new(EventTables { schema: CONSUMER }),
                Box::new(EffectsTable),
            ]
        },
    };
    migrate::up(&db, &producer, None).await.unwrap();
    migrate::up(&db, &consumer, None).await.unwrap();
    Harness { db, database }
}

pub fn settings() -> RelaySettings {
    RelaySettings {
        batch_size: 50,
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(30),
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
    }
}

pub fn envelope(aggregate: &str) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        name: EVENT.to_owned(),
        occurred_at: chrono::Utc::now(),
        source: PRODUCER.to_owned(),
        aggregate_id: aggregate.to_owned(),
        correlation_id: None,
        payload: serde_json::json!({ "aggregate": aggregate }),
    }
}

pub async fn publish(db: &Db, aggregate: &str) -> Uuid {
    let mut txn = db.begin().await.unwrap();
    let event = envelope(aggregate);
    publish_envelope(&mut txn, PRODUCER, &event).await.unwrap();
    txn.commit().await.unwrap();
    event.id
}

/// Records each handled event in `consumer.effects`; fails on demand.
pub struct Recorder {
    pub name: &'static str,
    /// Aggregates whose events always fail.
    pub poisoned: Vec<String>,
    /// Event ids that fail this many more times.
    pub flaky: Mutex<HashMap<Uuid, u32>>,
}

impl Recorder {
    pub fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            poisoned: Vec::new(),
            flaky: Mutex::new(HashMap::new()),
        })
    }
}

#[async_trait::async_trait]
impl EventHandler for Recorder {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &'static str {
        CONSUMER
    }
    fn events(&self) -> &'static [&'static str] {
        &[EVENT]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        if self.poisoned.contains(&event.aggregate_id) {
            anyhow::bail!("poisoned aggregate {}", event.aggregate_id);
        }
        if let Some(left) = self.flaky.lock().unwrap().get_mut(&event.id) {
            if *left > 0 {
                *left -= 1;
                anyhow::bail!("flaky failure");
            }
        }
        let sql = format!(
            "INSERT INTO \"{CONSUMER}\".\"effects\" (event_id, handler, aggregate_id) VALUES ('{}', '{}', '{}')",
            event.id, self.name, event.aggregate_id
        );
        txn.execute_unprepared(&sql).await?;
        Ok(())
    }
}

pub async fn effects(db: &Db) -> Vec<(String, String, String)> {
    let sql = format!(
        "SELECT event_id, handler, aggregate_id FROM \"{CONSUMER}\".\"effects\" ORDER BY n"
    );
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "event_id").unwrap(),
                r.try_get("", "handler").unwrap(),
                r.try_get("", "aggregate_id").unwrap(),
            )
        })
        .collect()
}

pub fn relay(db: &Db, transport: Arc<dyn Transport>) -> Relay {
    Relay::new(db.clone(), PRODUCER, transport, settings(), None)
}

pub fn in_process(db: &Db, handlers: &[Arc<dyn EventHandler>]) -> Arc<dyn Transport> {
    Arc::new(InProcessTransport::new(db.clone(), handlers, None))
}

/// Runs the relay until nothing is pending (bounded in time).
pub async fn drain(db: &Db, relay: &Relay) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let claimed = relay.run_once().await.unwrap();
        if claimed == 0 {
            let stats = outbox::stats(db.conn(), PRODUCER).await.unwrap();
            if stats.pending == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "outbox did not drain"
        );
    }
}
