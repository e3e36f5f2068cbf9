//! Forecast runs and their series, kept in the module's SQL schema whatever the read-model store.

use super::sql::stmt;
use chrono::{DateTime, Utc};
use kernel::{Db, WriteTxn};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use uuid::Uuid;

/// One stored run.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: Uuid,
    pub status: String,
    pub trigger: String,
    pub horizon: i32,
    pub series_count: i32,
    pub duration_ms: i64,
    pub summary: serde_json::Value,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One stored series of a run.
#[derive(Debug, Clone)]
pub struct SeriesRow {
    pub variant_id: Uuid,
    pub dealer_id: Option<Uuid>,
    pub history_weeks: i32,
    pub model: String,
    pub result: serde_json::Value,
}

const RUN_COLUMNS: &str =
    "id, status, \"trigger\", horizon, series_count, duration_ms, summary, started_at, finished_at";

/// JSON as the backend stores it (SQLite: text).
fn json(backend: DbBackend, value: &serde_json::Value) -> Value {
    if backend == DbBackend::Sqlite {
        Value::from(value.to_string())
    } else {
        Value::Json(Some(Box::new(value.clone())))
    }
}

fn json_of(
    backend: DbBackend,
    row: &QueryResult,
    column: &str,
) -> anyhow::Result<serde_json::Value> {
    if backend == DbBackend::Sqlite {
        Ok(serde_json::from_str(&row.try_get::<String>("", column)?)?)
    } else {
        Ok(row.try_get("", column)?)
    }
}

fn run_of(backend: DbBackend, r: &QueryResult) -> anyhow::Result<RunRow> {
    Ok(RunRow {
        id: r.try_get("", "id")?,
        status: r.try_get("", "status")?,
        trigger: r.try_get("", "trigger")?,
        horizon: r.try_get("", "horizon")?,
        series_count: r.try_get("", "series_count")?,
        duration_ms: r.try_get("", "duration_ms")?,
        summary: json_of(backend, r, "summary")?,
        started_at: r.try_get("", "started_at")?,
        finished_at: r.try_get("", "finished_at")?,
    })
}

pub async fn insert_run(
    txn: &WriteTxn,
    id: Uuid,
    trigger: &str,
    horizon: i32,
    started_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let b = txn.get_database_backend();
    txn.execute(stmt(
        b,
        "INSERT INTO \"report\".forecast_runs (id, status, \"trigger\", horizon, series_count, duration_ms, summary, started_at) \
         VALUES (?, 'running', ?, ?, 0, 0, ?, ?)",
        vec![id.into(), trigger.into(), horizon.into(), json(b, &serde_json::json!({})), started_at.into()],
    ))
    .await?;
    Ok(())
}

pub async fn insert_series(txn: &WriteTxn, run_id: Uuid, s: &SeriesRow) -> anyhow::Result<()> {
    let b = txn.get_database_backend();
    txn.execute(stmt(
        b,
        "INSERT INTO \"report\".forecast_series (id, run_id, dealer_id, variant_id, history_weeks, model, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            Uuid::now_v7().into(),
            run_id.into(),
            s.dealer_id.into(),
            s.variant_id.into(),
            s.history_weeks.into(),
            s.model.clone().into(),
            json(b, &s.result),
        ],
    ))
    .await?;
    Ok(())
}

/// Closes a run with its outcome.
pub async fn finish_run(
    txn: &WriteTxn,
    id: Uuid,
    status: &str,
    series_count: i32,
    duration_ms: i64,
    summary: &serde_json::Value,
) -> anyhow::Result<()> {
    let b = txn.get_database_backend();
    txn.execute(stmt(
        b,
        "UPDATE \"report\".forecast_runs SET status = ?, series_count = ?, duration_ms = ?, summary = ?, finished_at = ? WHERE id = ?",
        vec![
            status.into(),
            series_count.into(),
            duration_ms.into(),
            json(b, summary),
            Utc::now().into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub async fn run(db: &Db, id: Uuid) -> anyhow::Result<Option<RunRow>> {
    let b = db.backend();
    let sql = format!("SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs WHERE id = ?");
    let row = db.conn().query_one(stmt(b, &sql, vec![id.into()])).await?;
    row.map(|r| run_of(b, &r)).transpose()
}

pub async fn latest_finished(db: &Db) -> anyhow::Result<Option<RunRow>> {
    let b = db.backend();
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs WHERE status = 'finished' ORDER BY started_at DESC LIMIT 1"
    );
    let row = db.conn().query_one(stmt(b, &sql, vec![])).await?;
    row.map(|r| run_of(b, &r)).transpose()
}

/// One page of runs, newest first, and how many there are.
pub async fn page(db: &Db, limit: u64, offset: u64) -> anyhow::Result<(Vec<RunRow>, u64)> {
    let b = db.backend();
    let total = db
        .conn()
        .query_one(stmt(
            b,
            "SELECT COUNT(*) AS n FROM \"report\".forecast_runs",
            vec![],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs ORDER BY started_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = db.conn().query_all(stmt(b, &sql, vec![])).await?;
    let runs = rows
        .iter()
        .map(|r| run_of(b, r))
        .collect::<anyhow::Result<_>>()?;
    Ok((runs, u64::try_from(total).unwrap_or(0)))
}

/// The series of a run, all or one dealer's.
pub async fn series(db: &Db, run_id: Uuid, dealer: Option<Uuid>) -> anyhow::Result<Vec<SeriesRow>> {
    let b = db.backend();
    let mut sql = "SELECT variant_id, dealer_id, history_weeks, model, result FROM \"report\".forecast_series WHERE run_id = ?".to_owned();
    let mut values: Vec<Value> = vec![run_id.into()];
    if let Some(d) = dealer {
        sql.push_str(" AND dealer_id = ?");
        values.push(d.into());
    }
    sql.push_str(" ORDER BY variant_id, dealer_id");
    let rows = db.conn().query_all(stmt(b, &sql, values)).await?;
    rows.iter()
        .map(|r| {
            Ok(SeriesRow {
                variant_id: r.try_get("", "variant_id")?,
                dealer_id: r.try_get("", "dealer_id")?,
                history_weeks: r.try_get("", "history_weeks")?,
                model: r.try_get("", "model")?,
                result: json_of(b, r, "result")?,
            })
        })
        .collect()
}
