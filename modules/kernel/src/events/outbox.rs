//! Writing events into a module's outbox, inside the transaction that makes the change.

use super::{now_ms, sql::stmt, EventEnvelope};
use crate::db::WriteTxn;
use contracts::IntegrationEvent;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// The Postgres channel on which commits that wrote events notify relays in other processes.
pub const NOTIFY_CHANNEL: &str = "evdms_outbox";

/// Records `event` in its source module's outbox as part of `txn`. Delivered only if `txn`
/// commits; the commit wakes the relays.
pub async fn publish<E: IntegrationEvent>(txn: &mut WriteTxn, event: &E) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    publish_with_id(txn, id, event).await?;
    Ok(id)
}

/// [`publish`] under an id chosen beforehand (a fresh UUIDv7), for an event whose payload
/// refers to its own id, e.g. a secret sealed to it.
pub async fn publish_with_id<E: IntegrationEvent>(
    txn: &mut WriteTxn,
    id: Uuid,
    event: &E,
) -> Result<(), DbErr> {
    let mut envelope = EventEnvelope::wrap(event)
        .map_err(|e| DbErr::Custom(format!("serialising {}: {e}", E::NAME)))?;
    envelope.id = id;
    publish_envelope(txn, E::SOURCE, &envelope).await
}

/// Records a ready-made envelope in `schema`'s outbox.
pub async fn publish_envelope(
    txn: &mut WriteTxn,
    schema: &str,
    envelope: &EventEnvelope,
) -> Result<(), DbErr> {
    let now = now_ms();
    let sql = format!(
        "INSERT INTO \"{schema}\".\"outbox\" \
         (id, name, source, aggregate_id, occurred_at, correlation_id, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)"
    );
    let values = vec![
        envelope.id.to_string().into(),
        envelope.name.clone().into(),
        envelope.source.clone().into(),
        envelope.aggregate_id.clone().into(),
        envelope.occurred_at.timestamp_millis().into(),
        envelope.correlation_id.clone().into(),
        envelope.payload.to_string().into(),
        now.into(),
    ];
    let backend = txn.get_database_backend();
    txn.execute(stmt(backend, &sql, values)).await?;
    if backend == sea_orm::DbBackend::Postgres {
        // Delivered at commit (and only then), once per transaction and channel payload.
        let notify = format!("SELECT pg_notify('{NOTIFY_CHANNEL}', '{schema}')");
        txn.execute_unprepared(&notify).await?;
    }
    txn.mark_events_written();
    Ok(())
}

/// Rewrites the payloads of `schema`'s outbox rows about `aggregate_id` named one of `names`
/// (pending or already published), e.g. to take erased personal data out of them. Returns how
/// many rows were rewritten.
pub async fn rewrite_payloads(
    db: &impl ConnectionTrait,
    schema: &str,
    aggregate_id: &str,
    names: &[&str],
    rewrite: impl Fn(&mut serde_json::Value),
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let select =
        format!("SELECT id, name, payload FROM \"{schema}\".\"outbox\" WHERE aggregate_id = $1");
    let rows = db
        .query_all(stmt(backend, &select, vec![aggregate_id.into()]))
        .await?;
    let update = format!("UPDATE \"{schema}\".\"outbox\" SET payload = $1 WHERE id = $2");
    let mut rewritten = 0;
    for row in rows {
        let name: String = row.try_get("", "name")?;
        if !names.contains(&name.as_str()) {
            continue;
        }
        let id: String = row.try_get("", "id")?;
        let payload: String = row.try_get("", "payload")?;
        let mut value: serde_json::Value = serde_json::from_str(&payload)
            .map_err(|e| DbErr::Custom(format!("outbox payload: {e}")))?;
        rewrite(&mut value);
        db.execute(stmt(
            backend,
            &update,
            vec![value.to_string().into(), id.into()],
        ))
        .await?;
        rewritten += 1;
    }
    Ok(rewritten)
}

/// Counts of one outbox, for `/ready` and `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: i64,
    pub dead: i64,
    /// Age in seconds of the oldest pending event (0 if none).
    pub oldest_pending_age_secs: i64,
}

pub async fn stats(db: &impl ConnectionTrait, schema: &str) -> Result<OutboxStats, DbErr> {
    let sql = format!(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead, \
           MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest \
         FROM \"{schema}\".\"outbox\" WHERE status <> 'published'"
    );
    let row = db
        .query_one(stmt(db.get_database_backend(), &sql, vec![]))
        .await?;
    let Some(row) = row else {
        return Ok(OutboxStats::default());
    };
    let pending: i64 = row.try_get("", "pending")?;
    let dead: i64 = row.try_get("", "dead")?;
    let oldest: Option<i64> = row.try_get("", "oldest")?;
    let age = oldest.map(|t| ((now_ms() - t) / 1000).max(0)).unwrap_or(0);
    Ok(OutboxStats {
        pending,
        dead,
        oldest_pending_age_secs: age,
    })
}

/// A dead-lettered outbox row.
#[derive(Debug, Clone)]
pub struct DeadRow {
    pub envelope: EventEnvelope,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub dead_at: Option<i64>,
}

/// Dead letters of one outbox, newest first, optionally of one event name.
pub async fn dead_letters(
    db: &impl ConnectionTrait,
    schema: &str,
    name: Option<&str>,
    limit: u64,
) -> Result<Vec<DeadRow>, DbErr> {
    let filter = if name.is_some() { "AND name = $2" } else { "" };
    let sql = format!(
        "SELECT id, name, source, aggregate_id, occurred_at, correlation_id, payload, attempts, last_error, dead_at \
         FROM \"{schema}\".\"outbox\" WHERE status = 'dead' {filter} ORDER BY dead_at DESC, seq DESC LIMIT $1"
    );
    let mut values: Vec<sea_orm::Value> = vec![i64::try_from(limit).unwrap_or(i64::MAX).into()];
    if let Some(name) = name {
        values.push(name.into());
    }
    let rows = db
        .query_all(stmt(db.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("", "id")?;
            let payload: String = row.try_get("", "payload")?;
            let occurred: i64 = row.try_get("", "occurred_at")?;
            Ok(DeadRow {
                envelope: EventEnvelope {
                    id: id
                        .parse()
                        .map_err(|e| DbErr::Custom(format!("outbox id: {e}")))?,
                    name: row.try_get("", "name")?,
                    occurred_at: chrono::DateTime::from_timestamp_millis(occurred)
                        .unwrap_or_default(),
                    source: row.try_get("", "source")?,
                    aggregate_id: row.try_get("", "aggregate_id")?,
                    correlation_id: row.try_get("", "correlation_id")?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|e| DbErr::Custom(format!("outbox payload: {e}")))?,
                },
                attempts: row.try_get("", "attempts")?,
                last_error: row.try_get("", "last_error")?,
                dead_at: row.try_get("", "dead_at")?,
            })
        })
        .collect()
}

/// Puts a dead letter back in line with fresh attempts. Returns whether one was found.
pub async fn redrive(db: &impl ConnectionTrait, schema: &str, id: Uuid) -> Result<bool, DbErr> {
    let sql = format!(
        "UPDATE \"{schema}\".\"outbox\" SET status = 'pending', attempts = 0, next_attempt_at = $1, dead_at = NULL, \
         claimed_until = NULL, claimed_by = NULL WHERE id = $2 AND status = 'dead'"
    );
    let result = db
        .execute(stmt(
            db.get_database_backend(),
            &sql,
            vec![now_ms().into(), id.to_string().into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Deletes a dead letter for good. Returns whether one was found.
pub async fn discard(db: &impl ConnectionTrait, schema: &str, id: Uuid) -> Result<bool, DbErr> {
    let sql = format!("DELETE FROM \"{schema}\".\"outbox\" WHERE id = $1 AND status = 'dead'");
    let result = db
        .execute(stmt(
            db.get_database_backend(),
            &sql,
            vec![id.to_string().into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}
