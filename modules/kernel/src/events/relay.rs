//! The relay: moves committed outbox rows of one module to the transport.
//!
//! Claiming takes a lease on due rows (Postgres `FOR UPDATE SKIP LOCKED`; SQLite `BEGIN
//! IMMEDIATE`), so relays in several processes never hold the same row. Only the oldest pending
//! event of an aggregate is eligible, which keeps per-aggregate order. A failed delivery is retried
//! with exponential backoff and jitter; after `max_attempts` the row becomes a dead letter and later
//! events flow on. A relay that dies mid-delivery leaves its lease to expire and the row is
//! delivered again; consumers' inboxes absorb the duplicate.

use super::{now_ms, sql::stmt, EventEnvelope, Transport};
use crate::{config::BusSettings, db::Db, metrics::Metrics};
use anyhow::Context;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, TransactionTrait, Value};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;
use uuid::Uuid;

const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// Delivered events stay this long for inspection before they are purged.
const PUBLISHED_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;
/// What a claim returns: everything the transport needs, so no second read.
const CLAIMED_COLUMNS: &str =
    "seq, id, name, source, aggregate_id, occurred_at, correlation_id, payload, attempts";
#[derive(Debug, Clone)]
pub struct RelaySettings {
    pub batch_size: u32,
    pub poll_interval: Duration,
    pub lease: Duration,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl From<&BusSettings> for RelaySettings {
    fn from(bus: &BusSettings) -> Self {
        Self {
            batch_size: bus.relay_batch_size,
            poll_interval: Duration::from_millis(bus.relay_poll_interval_ms),
            lease: Duration::from_secs(bus.relay_lease_secs),
            max_attempts: bus.max_attempts,
            backoff_base: Duration::from_millis(bus.backoff_base_ms),
            backoff_max: Duration::from_millis(bus.backoff_max_ms),
        }
    }
}

impl RelaySettings {
    /// Delay before attempt `attempts + 1` (see [`crate::backoff::jittered`]).
    pub fn backoff(&self, attempts: u32) -> Duration {
        crate::backoff::jittered(self.backoff_base, self.backoff_max, attempts)
    }
}

pub struct Relay {
    db: Db,
    schema: String,
    transport: Arc<dyn Transport>,
    settings: RelaySettings,
    metrics: Option<Metrics>,
    relay_id: String,
}

struct Claimed {
    seq: i64,
    attempts: u32,
    envelope: EventEnvelope,
}

impl Relay {
    pub fn new(
        db: Db,
        schema: impl Into<String>,
        transport: Arc<dyn Transport>,
        settings: RelaySettings,
        metrics: Option<Metrics>,
    ) -> Self {
        Self {
            db,
            schema: schema.into(),
            transport,
            settings,
            metrics,
            relay_id: Uuid::now_v7().to_string(),
        }
    }

    /// Runs until `shutdown` turns true: wakes on commits (and NOTIFY), polls as a fallback.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut wake = self.db.outbox_signal();
        let mut next_purge = tokio::time::Instant::now();
        tracing::debug!(schema = %self.schema, transport = self.transport.name(), "relay started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_once().await {
                Ok(claimed) if claimed > 0 => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(schema = %self.schema, error = ?error, "relay pass failed")
                }
            }
            if tokio::time::Instant::now() >= next_purge {
                if let Err(error) = self.purge_published().await {
                    tracing::warn!(schema = %self.schema, error = ?error, "purging delivered events failed");
                }
                next_purge = tokio::time::Instant::now() + PURGE_EVERY;
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = wake.changed() => {}
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::debug!(schema = %self.schema, "relay stopped");
    }

    /// Claims one batch of due events, hands it to the transport in one go and records the
    /// outcomes: every delivered row marked in one statement, each failure on its own row.
    /// Returns how many were claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let claimed = self.claim().await.context("claiming due events")?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let envelopes: Vec<EventEnvelope> = claimed.iter().map(|c| c.envelope.clone()).collect();
        let outcomes = self.transport.deliver_batch(&envelopes).await;
        let mut delivered = Vec::with_capacity(claimed.len());
        for (row, outcome) in claimed.iter().zip(outcomes) {
            match outcome {
                Ok(()) => delivered.push(row),
                Err(error) => {
                    if let Err(error) = self.record_failure(row, error).await {
                        tracing::error!(schema = %self.schema, error = ?error, "recording a failed delivery failed");
                    }
                }
            }
        }
        if let Err(error) = self.mark_published(&delivered).await {
            // The leases expire and the rows are delivered again; inboxes absorb the repeat.
            tracing::error!(schema = %self.schema, error = ?error, "marking delivered events failed");
        }
        Ok(claimed.len())
    }

    fn table(&self) -> String {
        format!("\"{}\".\"outbox\"", self.schema)
    }

    async fn claim(&self) -> anyhow::Result<Vec<Claimed>> {
        let now = now_ms();
        let lease_until = now + self.settings.lease.as_millis() as i64;
        let table = self.table();
        let lock = if self.db.is_sqlite() {
            ""
        } else {
            "FOR UPDATE SKIP LOCKED"
        };
        let sql = format!(
            "UPDATE {table} SET claimed_until = $1, claimed_by = $2 \
             WHERE seq IN ( \
               SELECT o.seq FROM {table} o \
               WHERE o.status = 'pending' AND o.next_attempt_at <= $3 \
                 AND (o.claimed_until IS NULL OR o.claimed_until < $3) \
                 AND NOT EXISTS (SELECT 1 FROM {table} p \
                                 WHERE p.aggregate_id = o.aggregate_id AND p.status = 'pending' AND p.seq < o.seq) \
               ORDER BY o.seq LIMIT $4 {lock}) \
             RETURNING {CLAIMED_COLUMNS}"
        );
        let batch = i64::from(self.settings.batch_size);
        let mut claimed: Vec<Claimed> = if self.db.is_sqlite() {
            // BEGIN IMMEDIATE takes the write lock before reading, so the check and the lease are
            // atomic across processes too.
            let _guard = self.db.sqlite_write_guard().await;
            let pool = self.db.conn().get_sqlite_connection_pool();
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let rows = sqlx::query(&sql.replace('$', "?"))
                .bind(lease_until)
                .bind(&self.relay_id)
                .bind(now)
                .bind(batch)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            rows.into_iter()
                .map(|row| decode(&QueryResult::from(row)))
                .collect::<anyhow::Result<_>>()?
        } else {
            let values: Vec<Value> = vec![
                lease_until.into(),
                self.relay_id.clone().into(),
                now.into(),
                batch.into(),
            ];
            // A cached generic plan of this statement was measured to scan quadratically once the
            // outbox grows past the statistics; plan it for the actual values every time.
            let txn = self.db.conn().begin().await?;
            txn.execute_unprepared(
                "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL synchronous_commit = off",
            )
            .await?;
            let rows = txn
                .query_all(stmt(DbBackend::Postgres, &sql, values))
                .await?;
            txn.commit().await?;
            rows.iter().map(decode).collect::<anyhow::Result<_>>()?
        };
        // RETURNING gives no order; the transport sees the rows in outbox order.
        claimed.sort_by_key(|c| c.seq);
        Ok(claimed)
    }

    /// Marks the delivered rows published in one statement (only those this relay still holds).
    async fn mark_published(&self, rows: &[&Claimed]) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (0..rows.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE {} SET status = 'published', published_at = $1, attempts = attempts + 1, \
             claimed_until = NULL, claimed_by = NULL, last_error = NULL \
             WHERE claimed_by = $2 AND seq IN ({})",
            self.table(),
            placeholders.join(", ")
        );
        let mut values: Vec<Value> = vec![now_ms().into(), self.relay_id.clone().into()];
        values.extend(rows.iter().map(|r| Value::from(r.seq)));
        if self.db.is_sqlite() {
            // SQLite: writers outside a WriteTxn take the process's write lock too, or a
            // WriteTxn that read before writing would fail with SQLITE_BUSY_SNAPSHOT.
            let _guard = self.db.sqlite_write_guard().await;
            self.db
                .conn()
                .execute(stmt(DbBackend::Sqlite, &sql, values))
                .await?;
        } else {
            // A mark lost in a crash only means a redelivery, which the inboxes absorb: no need
            // to wait for the WAL flush.
            let txn = self.db.conn().begin().await?;
            txn.execute_unprepared("SET LOCAL synchronous_commit = off")
                .await?;
            txn.execute(stmt(DbBackend::Postgres, &sql, values)).await?;
            txn.commit().await?;
        }
        if let Some(m) = &self.metrics {
            for row in rows {
                m.events_published
                    .with_label_values(&[self.schema.as_str(), &row.envelope.name])
                    .inc();
            }
        }
        Ok(())
    }

    /// Records a failed delivery: released untouched when the broker is away, else retried
    /// with backoff, and dead-lettered after `max_attempts`.
    async fn record_failure(&self, row: &Claimed, error: anyhow::Error) -> anyhow::Result<()> {
        let module = self.schema.as_str();
        let name = row.envelope.name.clone();
        match error {
            error
                if error
                    .downcast_ref::<super::rabbitmq::TransportUnavailable>()
                    .is_some() =>
            {
                // The broker is away: not the event's fault. Release it untouched and try again
                // after the poll interval; nothing is lost and no attempt is spent.
                let sql = format!(
                    "UPDATE {} SET claimed_until = NULL, claimed_by = NULL, next_attempt_at = $1, last_error = $2 \
                     WHERE seq = $3 AND claimed_by = $4",
                    self.table()
                );
                let retry_at = now_ms() + self.settings.poll_interval.as_millis() as i64;
                let values = vec![
                    retry_at.into(),
                    format!("{error:#}").into(),
                    row.seq.into(),
                    self.relay_id.clone().into(),
                ];
                // SQLite: writers outside a WriteTxn take the process's write lock too, or a
                // WriteTxn that read before writing would fail with SQLITE_BUSY_SNAPSHOT.
                let _guard = self.db.sqlite_write_guard().await;
                self.db
                    .conn()
                    .execute(stmt(self.db.backend(), &sql, values))
                    .await?;
                tracing::warn!(event = %name, error = %error, "transport unavailable; event kept pending");
            }
            error => {
                let attempts = row.attempts + 1;
                let dead = attempts >= self.settings.max_attempts;
                let next = now_ms() + self.settings.backoff(attempts).as_millis() as i64;
                let message: String = format!("{error:#}").chars().take(2000).collect();
                let sql = format!(
                    "UPDATE {} SET attempts = $1, next_attempt_at = $2, last_error = $3, \
                     status = $4, dead_at = $5, claimed_until = NULL, claimed_by = NULL \
                     WHERE seq = $6 AND claimed_by = $7",
                    self.table()
                );
                let status = if dead { "dead" } else { "pending" };
                let dead_at: Option<i64> = dead.then(now_ms);
                let values = vec![
                    i64::from(attempts).into(),
                    next.into(),
                    message.into(),
                    status.into(),
                    dead_at.into(),
                    row.seq.into(),
                    self.relay_id.clone().into(),
                ];
                // SQLite: writers outside a WriteTxn take the process's write lock too, or a
                // WriteTxn that read before writing would fail with SQLITE_BUSY_SNAPSHOT.
                let _guard = self.db.sqlite_write_guard().await;
                self.db
                    .conn()
                    .execute(stmt(self.db.backend(), &sql, values))
                    .await?;
                if let Some(m) = &self.metrics {
                    m.events_failed.with_label_values(&[module, &name]).inc();
                    if dead {
                        m.events_dead_lettered
                            .with_label_values(&[module, &name])
                            .inc();
                    }
                }
                if dead {
                    tracing::error!(event = %name, event_id = %row.envelope.id, attempts, error = ?error, "event dead-lettered");
                } else {
                    tracing::warn!(event = %name, event_id = %row.envelope.id, attempts, error = ?error, "delivery failed; will retry");
                }
            }
        }
        Ok(())
    }

    async fn purge_published(&self) -> anyhow::Result<()> {
        let sql = format!(
            "DELETE FROM {} WHERE status = 'published' AND published_at < $1",
            self.table()
        );
        let cutoff = now_ms() - PUBLISHED_RETENTION_MS;
        let _guard = self.db.sqlite_write_guard().await;
        self.db
            .conn()
            .execute(stmt(self.db.backend(), &sql, vec![cutoff.into()]))
            .await?;
        // The same housekeeping pass drops expired Idempotency-Key records of this schema.
        crate::idempotency::purge_expired(self.db.conn(), &self.schema).await?;
        Ok(())
    }
}

fn decode(row: &QueryResult) -> anyhow::Result<Claimed> {
    let id: String = row.try_get("", "id")?;
    let occurred_ms: i64 = row.try_get("", "occurred_at")?;
    let payload: String = row.try_get("", "payload")?;
    let attempts: i32 = row.try_get("", "attempts")?;
    Ok(Claimed {
        seq: row.try_get("", "seq")?,
        attempts: u32::try_from(attempts).unwrap_or_default(),
        envelope: EventEnvelope {
            id: id.parse().context("outbox id is not a UUID")?,
            name: row.try_get("", "name")?,
            occurred_at: chrono::DateTime::from_timestamp_millis(occurred_ms).unwrap_or_default(),
            source: row.try_get("", "source")?,
            aggregate_id: row.try_get("", "aggregate_id")?,
            correlation_id: row.try_get("", "correlation_id")?,
            payload: serde_json::from_str(&payload).context("outbox payload is not JSON")?,
        },
    })
}

/// Wakes this process's relays when another process commits events (Postgres LISTEN/NOTIFY).
pub async fn listen_for_notifications(db: Db, mut shutdown: watch::Receiver<bool>) {
    if db.is_sqlite() {
        return;
    }
    let pool = db.conn().get_postgres_connection_pool().clone();
    loop {
        let listener = async {
            let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
            listener.listen(super::outbox::NOTIFY_CHANNEL).await?;
            loop {
                listener.recv().await?;
                db.wake_relays();
            }
            #[allow(unreachable_code)]
            Ok::<(), sqlx::Error>(())
        };
        tokio::select! {
            _ = shutdown.changed() => return,
            result = listener => {
                if let Err(error) = result {
                    tracing::warn!(error = %error, "outbox LISTEN connection lost; polling until it is back");
                }
            }
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
