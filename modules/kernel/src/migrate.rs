//! Per-schema migrations. Each module's history table lives in its own schema
//! (`"<schema>"."seaql_migrations"`), so a split service migrates only what it owns.
//! Every migration runs in its own transaction together with its history row; on Postgres an
//! advisory lock per schema keeps two starting processes from applying the same one twice.

use crate::{db::Db, events::sql::stmt};
use anyhow::Context;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{MigrationTrait, SchemaManager};

/// The migrations of one module schema, in order.
pub struct SchemaMigrations {
    pub schema: &'static str,
    pub migrations: fn() -> Vec<Box<dyn MigrationTrait>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub name: String,
    /// Milliseconds since the epoch, if applied.
    pub applied_at: Option<i64>,
}

fn history(schema: &str) -> String {
    format!("\"{schema}\".\"seaql_migrations\"")
}

async fn install(db: &Db, schema: &str) -> anyhow::Result<()> {
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {} (version VARCHAR(255) PRIMARY KEY NOT NULL, applied_at BIGINT NOT NULL)",
        history(schema)
    );
    db.conn()
        .execute_unprepared(&sql)
        .await
        .with_context(|| format!("creating {schema} migration history"))?;
    Ok(())
}

async fn applied(conn: &impl ConnectionTrait, schema: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT version, applied_at FROM {} ORDER BY version",
        history(schema)
    );
    let rows = conn
        .query_all(stmt(conn.get_database_backend(), &sql, vec![]))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "version")?, r.try_get("", "applied_at")?)))
        .collect()
}

async fn lock_schema(conn: &impl ConnectionTrait, schema: &str) -> anyhow::Result<()> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let sql = "SELECT pg_advisory_xact_lock(hashtext($1))::text AS locked";
        conn.query_one(stmt(
            DbBackend::Postgres,
            sql,
            vec![format!("evdms-migrate-{schema}").into()],
        ))
        .await?;
    }
    Ok(())
}

/// Every migration of the schema with whether and when it was applied.
pub async fn status(db: &Db, set: &SchemaMigrations) -> anyhow::Result<Vec<MigrationStatus>> {
    install(db, set.schema).await?;
    let applied = applied(db.conn(), set.schema).await?;
    let known: Vec<String> = (set.migrations)()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    if let Some((missing, _)) = applied.iter().find(|(name, _)| !known.contains(name)) {
        anyhow::bail!(
            "schema {}: migration `{missing}` was applied but is unknown to this build",
            set.schema
        );
    }
    Ok(known
        .into_iter()
        .map(|name| {
            let applied_at = applied.iter().find(|(n, _)| *n == name).map(|(_, at)| *at);
            MigrationStatus { name, applied_at }
        })
        .collect())
}

/// Applies pending migrations (at most `steps`). Returns the names applied.
#[tracing::instrument(skip_all, fields(schema = set.schema))]
pub async fn up(
    db: &Db,
    set: &SchemaMigrations,
    steps: Option<u32>,
) -> anyhow::Result<Vec<String>> {
    install(db, set.schema).await?;
    let mut done = Vec::new();
    for migration in (set.migrations)() {
        if steps.is_some_and(|s| done.len() >= s as usize) {
            break;
        }
        let name = migration.name().to_owned();
        let txn = db.begin().await?;
        lock_schema(&*txn, set.schema).await?;
        if applied(&*txn, set.schema)
            .await?
            .iter()
            .any(|(n, _)| *n == name)
        {
            continue;
        }
        migration
            .up(&SchemaManager::new(&*txn))
            .await
            .with_context(|| format!("applying {}/{name}", set.schema))?;
        let sql = format!(
            "INSERT INTO {} (version, applied_at) VALUES ($1, $2)",
            history(set.schema)
        );
        txn.execute(stmt(
            txn.get_database_backend(),
            &sql,
            vec![name.clone().into(), crate::events::now_ms().into()],
        ))
        .await?;
        txn.commit().await?;
        tracing::info!(migration = %name, "applied");
        done.push(name);
    }
    Ok(done)
}

/// Reverts applied migrations, newest first (default: one). Returns the names reverted.
#[tracing::instrument(skip_all, fields(schema = set.schema))]
pub async fn down(
    db: &Db,
    set: &SchemaMigrations,
    steps: Option<u32>,
) -> anyhow::Result<Vec<String>> {
    install(db, set.schema).await?;
    let steps = steps.unwrap_or(1) as usize;
    let mut done = Vec::new();
    for migration in (set.migrations)().into_iter().rev() {
        if done.len() >= steps {
            break;
        }
        let name = migration.name().to_owned();
        let txn = db.begin().await?;
        lock_schema(&*txn, set.schema).await?;
        if !applied(&*txn, set.schema)
            .await?
            .iter()
            .any(|(n, _)| *n == name)
        {
            continue;
        }
        migration
            .down(&SchemaManager::new(&*txn))
            .await
            .with_context(|| format!("reverting {}/{name}", set.schema))?;
        let sql = format!("DELETE FROM {} WHERE version = $1", history(set.schema));
        txn.execute(stmt(
            txn.get_database_backend(),
            &sql,
            vec![name.clone().into()],
        ))
        .await?;
        txn.commit().await?;
        tracing::info!(migration = %name, "reverted");
        done.push(name);
    }
    Ok(done)
}

/// The first migration of every module: its outbox and inbox.
pub struct EventTables {
    pub schema: &'static str,
}

impl sea_orm_migration::MigrationName for EventTables {
    fn name(&self) -> &str {
        "m20261125_000001_event_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for EventTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let s = self.schema;
        let conn = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let (seq, id) = if postgres {
            (
                "seq BIGSERIAL PRIMARY KEY",
                "id VARCHAR(36) NOT NULL UNIQUE",
            )
        } else {
            (
                "seq INTEGER PRIMARY KEY AUTOINCREMENT",
                "id VARCHAR(36) NOT NULL UNIQUE",
            )
        };
        let index_of = |name: &str, table: &str| -> (String, String) {
            // SQLite qualifies the index name, Postgres the table (sea-query cannot do the former).
            if postgres {
                (format!("\"{name}\""), format!("\"{s}\".\"{table}\""))
            } else {
                (format!("\"{s}\".\"{name}\""), format!("\"{table}\""))
            }
        };
        let (due_index, outbox_table) = index_of("outbox_due", "outbox");
        let (aggregate_index, _) = index_of("outbox_aggregate", "outbox");
        let (dead_index, _) = index_of("outbox_dead", "outbox");
        let statements = [
            format!(
                "CREATE TABLE \"{s}\".\"outbox\" ( \
                   {seq}, {id}, \
                   name VARCHAR(200) NOT NULL, source VARCHAR(64) NOT NULL, aggregate_id VARCHAR(200) NOT NULL, \
                   occurred_at BIGINT NOT NULL, correlation_id VARCHAR(200), payload TEXT NOT NULL, \
                   status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, \
                   next_attempt_at BIGINT NOT NULL, claimed_until BIGINT, claimed_by VARCHAR(64), \
                   last_error TEXT, created_at BIGINT NOT NULL, published_at BIGINT, dead_at BIGINT, \
                   CHECK (status IN ('pending', 'published', 'dead')))"
            ),
            format!("CREATE INDEX {due_index} ON {outbox_table} (next_attempt_at, seq) WHERE status = 'pending'"),
            format!("CREATE INDEX {aggregate_index} ON {outbox_table} (aggregate_id, seq) WHERE status = 'pending'"),
            format!("CREATE INDEX {dead_index} ON {outbox_table} (dead_at) WHERE status = 'dead'"),
            format!(
                "CREATE TABLE \"{s}\".\"inbox\" ( \
                   event_id VARCHAR(64) NOT NULL, handler VARCHAR(200) NOT NULL, event_name VARCHAR(200) NOT NULL, \
                   processed_at BIGINT NOT NULL, PRIMARY KEY (event_id, handler))"
            ),
        ];
        for sql in statements {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let s = self.schema;
        let conn = manager.get_connection();
        conn.execute_unprepared(&format!("DROP TABLE \"{s}\".\"inbox\""))
            .await?;
        conn.execute_unprepared(&format!("DROP TABLE \"{s}\".\"outbox\""))
            .await?;
        Ok(())
    }
}

/// Every module's `Idempotency-Key` records (see `kernel::idempotency`).
pub struct IdempotencyKeys {
    pub schema: &'static str,
}

impl sea_orm_migration::MigrationName for IdempotencyKeys {
    fn name(&self) -> &str {
        "m20261125_000003_idempotency_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IdempotencyKeys {
    async fn up(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let s = self.schema;
        let sql = format!(
            "CREATE TABLE \"{s}\".\"idempotency_keys\" ( \
               scope VARCHAR(64) NOT NULL, key VARCHAR(255) NOT NULL, request_hash VARCHAR(64) NOT NULL, \
               status VARCHAR(16) NOT NULL, response_status INTEGER, response_body TEXT, content_type VARCHAR(200), \
               location VARCHAR(1000), created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, \
               PRIMARY KEY (scope, key))"
        );
        manager
            .get_connection()
            .execute_unprepared(&sql)
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let sql = format!("DROP TABLE \"{}\".\"idempotency_keys\"", self.schema);
        manager
            .get_connection()
            .execute_unprepared(&sql)
            .await
            .map(|_| ())
    }
}

/// Lets the relay's claim walk pending rows in `seq` order and stop after its batch, instead of
/// anti-joining every pending row before sorting (measured: O(pending) per claim).
pub struct OutboxClaimIndex {
    pub schema: &'static str,
}

impl sea_orm_migration::MigrationName for OutboxClaimIndex {
    fn name(&self) -> &str {
        "m20261125_000004_outbox_claim_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OutboxClaimIndex {
    async fn up(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let s = self.schema;
        let sql = if manager.get_database_backend() == DbBackend::Postgres {
            format!("CREATE INDEX \"outbox_pending_seq\" ON \"{s}\".\"outbox\" (seq) WHERE status = 'pending'")
        } else {
            format!("CREATE INDEX \"{s}\".\"outbox_pending_seq\" ON \"outbox\" (seq) WHERE status = 'pending'")
        };
        manager
            .get_connection()
            .execute_unprepared(&sql)
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), sea_orm::DbErr> {
        let s = self.schema;
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX \"{s}\".\"outbox_pending_seq\""))
            .await
            .map(|_| ())
    }
}
