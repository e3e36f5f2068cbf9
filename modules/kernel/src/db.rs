//! Connecting to SQLite or Postgres, and write transactions that wake the outbox relays.
//!
//! SQLite: the main file plus one file per module schema, ATTACHed under the schema's name on
//! EVERY pooled connection (sqlx `after_connect`), each in WAL mode, with `busy_timeout` and
//! foreign keys on. Postgres: one schema per module, created if missing.

use crate::config::{DatabaseKind, DatabaseSettings};
use anyhow::Context;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqlxPostgresConnector, SqlxSqliteConnector, TransactionTrait,
};
use secrecy::ExposeSecret;
use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions, Executor,
};
use std::{path::PathBuf, str::FromStr, sync::Arc, time::Duration};
use tokio::sync::{watch, Mutex, OwnedMutexGuard};

/// A database handle shared by every module.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    /// SQLite allows one writer at a time and fails a deferred transaction that upgrades to a
    /// write after another writer committed. Serialising this process's write transactions makes
    /// them behave like `BEGIN IMMEDIATE` without busy errors; Postgres needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
    outbox_signal: watch::Sender<u64>,
}

impl Db {
    pub fn new(conn: DatabaseConnection) -> Self {
        let write_lock = match conn.get_database_backend() {
            DbBackend::Sqlite => Some(Arc::new(Mutex::new(()))),
            _ => None,
        };
        let (outbox_signal, _) = watch::channel(0);
        Self {
            conn,
            write_lock,
            outbox_signal,
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }

    /// Starts a write transaction. Events written through it wake the relays on commit.
    pub async fn begin(&self) -> Result<WriteTxn, DbErr> {
        if crate::idempotency::holds_a_commit() {
            // The request's committed transaction is held open until its response is stored; a
            // second write transaction could wait on it forever (SQLite's write lock).
            return Err(DbErr::Custom(
                "a request made idempotent commits one write transaction".into(),
            ));
        }
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        Ok(WriteTxn {
            txn,
            _guard: guard,
            signal: self.outbox_signal.clone(),
            wrote_events: false,
            after_commit: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Holds this process's SQLite write lock (no-op on Postgres), for raw sqlx write transactions.
    pub async fn sqlite_write_guard(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    /// A receiver that changes whenever a transaction that wrote events commits.
    pub fn outbox_signal(&self) -> watch::Receiver<u64> {
        self.outbox_signal.subscribe()
    }

    /// Wakes the relays (e.g. after a redrive or a NOTIFY from another process).
    pub fn wake_relays(&self) {
        self.outbox_signal.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Connection pool gauges: (in use, idle).
    pub fn pool_state(&self) -> (u32, u32) {
        match self.backend() {
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                let idle = pool.num_idle() as u32;
                (pool.size().saturating_sub(idle), idle)
            }
            _ => {
                let pool = self.conn.get_postgres_connection_pool();
                let idle = pool.num_idle() as u32;
                (pool.size().saturating_sub(idle), idle)
            }
        }
    }
}

/// Work that may only happen once a transaction's writes are visible to everyone.
pub type AfterCommit = Box<dyn FnOnce() + Send>;

/// A write transaction. Dropping it without [`WriteTxn::commit`] rolls back.
pub struct WriteTxn {
    // Field order matters: the transaction is dropped (rolled back) before the lock is released.
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    signal: watch::Sender<u64>,
    wrote_events: bool,
    /// In a mutex only so that the transaction stays `Sync` (it is only touched through `&mut`).
    after_commit: std::sync::Mutex<Vec<AfterCommit>>,
}

impl WriteTxn {
    /// Commits. Inside a request made idempotent by an `Idempotency-Key`, the commit is held
    /// until the response exists, so that the response is stored in this same transaction (see
    /// [`crate::idempotency`]); the caller cannot tell the difference.
    pub async fn commit(self) -> Result<(), DbErr> {
        match crate::idempotency::hold(self) {
            Ok(()) => Ok(()),
            Err(txn) => txn.commit_now().await,
        }
    }

    pub(crate) async fn commit_now(self) -> Result<(), DbErr> {
        let Self {
            txn,
            _guard,
            signal,
            wrote_events,
            after_commit,
        } = self;
        txn.commit().await?;
        // Another SQLite writer of this process may start as soon as the commit is done.
        drop(_guard);
        if wrote_events {
            signal.send_modify(|n| *n = n.wrapping_add(1));
        }
        let hooks = after_commit
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for hook in hooks {
            hook();
        }
        Ok(())
    }

    /// Runs `hook` right after this transaction commits (never if it rolls back or is dropped):
    /// for waking workers that read what it wrote, or telling the outside world about it.
    /// Hooks run in the order registered and must not block.
    pub fn after_commit(&mut self, hook: impl FnOnce() + Send + 'static) {
        self.after_commit
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Box::new(hook));
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }

    /// Marks that this transaction wrote to an outbox, so its commit wakes the relays.
    pub(crate) fn mark_events_written(&mut self) {
        self.wrote_events = true;
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Opens the pool for the configured backend, preparing every module schema.
#[tracing::instrument(skip_all, fields(backend = %kind))]
pub async fn connect(
    kind: &DatabaseKind,
    settings: &DatabaseSettings,
    schemas: &[&str],
) -> anyhow::Result<Db> {
    let conn = match kind {
        DatabaseKind::Sqlite { main_file } => connect_sqlite(main_file, settings, schemas).await?,
        DatabaseKind::Postgres { url } => {
            connect_postgres(url.expose_secret(), settings, schemas).await?
        }
    };
    Ok(Db::new(conn))
}

async fn connect_sqlite(
    main_file: &std::path::Path,
    settings: &DatabaseSettings,
    schemas: &[&str],
) -> anyhow::Result<DatabaseConnection> {
    // SQLite refuses more than 10 attached databases by default.
    anyhow::ensure!(
        schemas.len() <= 10,
        "SQLite can attach at most 10 schemas, got {}",
        schemas.len()
    );
    let dir = main_file.parent().map(PathBuf::from).unwrap_or_default();
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
    }
    let attachments: Arc<Vec<(String, String)>> = Arc::new(
        schemas
            .iter()
            .map(|schema| {
                let file = dir.join(format!("{schema}.db"));
                (
                    schema.to_string(),
                    file.to_string_lossy().replace('\'', "''"),
                )
            })
            .collect(),
    );
    let options = SqliteConnectOptions::new()
        .filename(main_file)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(settings.min_connections)
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
        .after_connect(move |conn, _meta| {
            let attachments = attachments.clone();
            Box::pin(async move {
                for (schema, file) in attachments.iter() {
                    conn.execute(format!("ATTACH DATABASE '{file}' AS \"{schema}\"").as_str())
                        .await?;
                    // journal_mode is stored in the file; synchronous is per connection and schema.
                    conn.execute(format!("PRAGMA \"{schema}\".journal_mode = WAL").as_str())
                        .await?;
                    conn.execute(format!("PRAGMA \"{schema}\".synchronous = NORMAL").as_str())
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database {}", main_file.display()))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

async fn connect_postgres(
    url: &str,
    settings: &DatabaseSettings,
    schemas: &[&str],
) -> anyhow::Result<DatabaseConnection> {
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .context("parsing database.url")?
        .disable_statement_logging();
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(settings.min_connections)
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL (database.url)")?;
    let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
    for schema in schemas {
        conn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .await
            .with_context(|| format!("creating schema {schema}"))?;
    }
    Ok(conn)
}
