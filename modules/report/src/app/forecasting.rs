//! Demand forecast runs: weekly units per variant (network-wide, and per dealer where the
//! history allows) from the sales rollup, each series forecast by `domain::forecast` on the
//! blocking pool, every run stored with its series, model, parameters and backtest.

use crate::domain::forecast::{forecast_weekly, ForecastRequest, SeriesForecast};
use crate::domain::period::Interval;
use crate::store::{sql::stmt, ReportStore, WeeklyDemand};
use chrono::{DateTime, Days, NaiveDate, Utc};
use kernel::Db;
use sea_orm::{ConnectionTrait, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Series of one dealer need this many weeks between first and last sale…
const DEALER_MIN_WEEKS: usize = 52;
/// …and this many units a week on average, or they are noise.
const DEALER_MIN_WEEKLY_UNITS: f64 = 0.5;

/// One weekly series to forecast.
#[derive(Debug, Clone)]
pub struct Series {
    pub variant_id: Uuid,
    pub dealer_id: Option<Uuid>,
    pub first_week: NaiveDate,
    pub units: Vec<f64>,
}

/// What a stored series holds: the forecast and the calendar of its history and points.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSeries {
    pub first_week: NaiveDate,
    pub last_week: NaiveDate,
    pub forecast: SeriesForecast,
}

/// Complete weeks only: the week in progress would read as a collapse in demand.
pub fn build_series(rows: &[WeeklyDemand], this_week: NaiveDate) -> Vec<Series> {
    let mut grouped: BTreeMap<(Uuid, Option<Uuid>), BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.week < this_week) {
        *grouped
            .entry((r.variant_id, r.dealer_id))
            .or_default()
            .entry(r.week)
            .or_default() += r.units;
    }
    let last_week = this_week
        .checked_sub_days(Days::new(7))
        .unwrap_or(this_week);
    let mut out = Vec::new();
    for ((variant_id, dealer_id), weeks) in grouped {
        let Some((&first_week, _)) = weeks.iter().next() else {
            continue;
        };
        let mut units = Vec::new();
        let mut week = first_week;
        while week <= last_week {
            units.push(weeks.get(&week).copied().unwrap_or(0) as f64);
            week = week
                .checked_add_days(Days::new(7))
                .unwrap_or(last_week + Days::new(1));
        }
        if dealer_id.is_some() {
            let mean = units.iter().sum::<f64>() / units.len().max(1) as f64;
            if units.len() < DEALER_MIN_WEEKS || mean < DEALER_MIN_WEEKLY_UNITS {
                continue;
            }
        }
        out.push(Series {
            variant_id,
            dealer_id,
            first_week,
            units,
        });
    }
    out
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub series: usize,
    pub failed: usize,
    /// How often each model was chosen.
    pub models: BTreeMap<String, usize>,
    /// Mean of the chosen models' MASE relative to seasonal naive (below 1: better).
    pub mean_relative_mase: Option<f64>,
    /// Series where a baseline was the best model.
    pub baseline_won: usize,
    pub errors: Vec<String>,
}

/// Registers a run (status `running`) and returns its id.
pub async fn open_run(db: &Db, trigger: &str, horizon: usize) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    let txn = db.begin().await?;
    txn.execute(stmt(
        db.backend(),
        "INSERT INTO \"report\".forecast_runs (id, status, \"trigger\", horizon, series_count, duration_ms, summary, started_at) \
         VALUES (?, 'running', ?, ?, 0, 0, ?, ?)",
        vec![
            id.into(),
            trigger.into(),
            i32::try_from(horizon).unwrap_or(12).into(),
            json(db, serde_json::json!({})),
            Utc::now().into(),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(id)
}

fn json(db: &Db, value: serde_json::Value) -> Value {
    if db.is_sqlite() {
        Value::from(value.to_string())
    } else {
        Value::Json(Some(Box::new(value)))
    }
}

/// Forecasts every series and stores the results under `run_id`.
#[tracing::instrument(skip(db, store))]
pub async fn execute_run(
    db: &Db,
    store: &dyn ReportStore,
    run_id: Uuid,
    horizon: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<RunSummary> {
    let started = std::time::Instant::now();
    let this_week = Interval::Week.bucket(now.date_naive());
    let mut rows = store.weekly_demand(false).await?;
    rows.extend(store.weekly_demand(true).await?);
    let series = build_series(&rows, this_week);
    let mut summary = RunSummary {
        series: 0,
        failed: 0,
        models: BTreeMap::new(),
        mean_relative_mase: None,
        baseline_won: 0,
        errors: Vec::new(),
    };
    let mut relative = Vec::new();
    for s in series {
        let units = s.units.clone();
        let result = tokio::task::spawn_blocking(move || {
            forecast_weekly(ForecastRequest {
                history: &units,
                horizon,
            })
        })
        .await?;
        let forecast = match result {
            Ok(f) => f,
            Err(error) => {
                summary.failed += 1;
                summary
                    .errors
                    .push(format!("{} / {:?}: {error}", s.variant_id, s.dealer_id));
                continue;
            }
        };
        summary.series += 1;
        let model = serde_json::to_value(forecast.model)?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *summary.models.entry(model.clone()).or_default() += 1;
        if matches!(model.as_str(), "seasonal_naive" | "mean") {
            summary.baseline_won += 1;
        }
        if let Some(r) = forecast.backtest.and_then(|b| b.relative_mase) {
            relative.push(r);
        }
        let last_week = s
            .first_week
            .checked_add_days(Days::new(7 * (s.units.len().max(1) as u64 - 1)))
            .unwrap_or(s.first_week);
        let stored = StoredSeries {
            first_week: s.first_week,
            last_week,
            forecast,
        };
        let txn = db.begin().await?;
        txn.execute(stmt(
            db.backend(),
            "INSERT INTO \"report\".forecast_series (id, run_id, dealer_id, variant_id, history_weeks, model, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                Uuid::now_v7().into(),
                run_id.into(),
                s.dealer_id.into(),
                s.variant_id.into(),
                i32::try_from(s.units.len()).unwrap_or(i32::MAX).into(),
                model.into(),
                json(db, serde_json::to_value(&stored)?),
            ],
        ))
        .await?;
        txn.commit().await?;
    }
    if !relative.is_empty() {
        summary.mean_relative_mase = Some(relative.iter().sum::<f64>() / relative.len() as f64);
    }
    let status = if summary.series == 0 && summary.failed > 0 {
        "failed"
    } else {
        "finished"
    };
    let txn = db.begin().await?;
    txn.execute(stmt(
        db.backend(),
        "UPDATE \"report\".forecast_runs SET status = ?, series_count = ?, duration_ms = ?, summary = ?, finished_at = ? WHERE id = ?",
        vec![
            status.into(),
            i32::try_from(summary.series).unwrap_or(i32::MAX).into(),
            i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX).into(),
            json(db, serde_json::to_value(&summary)?),
            Utc::now().into(),
            run_id.into(),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(summary)
}

/// Marks a run failed (its task returned an error).
pub async fn fail_run(db: &Db, run_id: Uuid, error: &str) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    txn.execute(stmt(
        db.backend(),
        "UPDATE \"report\".forecast_runs SET status = 'failed', summary = ?, finished_at = ? WHERE id = ?",
        vec![
            json(db, serde_json::json!({ "error": error })),
            Utc::now().into(),
            run_id.into(),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Starts a run in the background; returns its id at once.
pub async fn start_run(
    db: Db,
    store: std::sync::Arc<dyn ReportStore>,
    trigger: &str,
    horizon: usize,
) -> anyhow::Result<Uuid> {
    let run_id = open_run(&db, trigger, horizon).await?;
    tokio::spawn(async move {
        if let Err(error) = execute_run(&db, store.as_ref(), run_id, horizon, Utc::now()).await {
            let message = format!("{error:#}");
            tracing::warn!(%run_id, error = %message, "forecast run failed");
            if let Err(error) = fail_run(&db, run_id, &message).await {
                tracing::warn!(%run_id, ?error, "could not record the failed forecast run");
            }
        }
    });
    Ok(run_id)
}

/// Runs the forecast every night at `hour` UTC until the process stops.
pub async fn nightly(
    db: Db,
    store: std::sync::Arc<dyn ReportStore>,
    hour: u32,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let now = Utc::now();
        let today_at = now
            .date_naive()
            .and_hms_opt(hour, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(now);
        let next = if today_at > now {
            today_at
        } else {
            today_at + chrono::Duration::days(1)
        };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            changed = shutdown.changed() => if changed.is_err() || *shutdown.borrow() { return },
        }
        if let Err(error) = start_run(db.clone(), store.clone(), "nightly", 12).await {
            tracing::warn!(?error, "nightly forecast run could not start");
        }
    }
}
