//! Demand forecast runs: weekly units per variant (network-wide, and per dealer where the
//! history allows) from the sales rollup, each series forecast by `domain::forecast` on the
//! blocking pool, every run stored with its series, model, parameters and backtest.

use crate::domain::forecast::{forecast_weekly, ForecastRequest, SeriesForecast};
use crate::domain::period::Interval;
use crate::store::forecast_runs::{self, RunRow, SeriesRow};
use crate::store::{Directory, ReportStore, WeeklyDemand};
use chrono::{DateTime, Days, NaiveDate, Utc};
use kernel::Db;
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
    let horizon = i32::try_from(horizon).unwrap_or(12);
    forecast_runs::insert_run(&txn, id, trigger, horizon, Utc::now()).await?;
    txn.commit().await?;
    Ok(id)
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
    let mut stored_series = Vec::new();
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
        stored_series.push(SeriesRow {
            variant_id: s.variant_id,
            dealer_id: s.dealer_id,
            history_weeks: i32::try_from(s.units.len()).unwrap_or(i32::MAX),
            model,
            result: serde_json::to_value(&stored)?,
        });
    }
    if !relative.is_empty() {
        summary.mean_relative_mase = Some(relative.iter().sum::<f64>() / relative.len() as f64);
    }
    let status = if summary.series == 0 && summary.failed > 0 {
        "failed"
    } else {
        "finished"
    };
    // The run's series and its outcome commit together: a run is whole or still running.
    let txn = db.begin().await?;
    for row in &stored_series {
        forecast_runs::insert_series(&txn, run_id, row).await?;
    }
    forecast_runs::finish_run(
        &txn,
        run_id,
        status,
        i32::try_from(summary.series).unwrap_or(i32::MAX),
        i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        &serde_json::to_value(&summary)?,
    )
    .await?;
    txn.commit().await?;
    Ok(summary)
}

/// Marks a run failed (its task returned an error).
pub async fn fail_run(db: &Db, run_id: Uuid, error: &str) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    let summary = serde_json::json!({ "error": error });
    forecast_runs::finish_run(&txn, run_id, "failed", 0, 0, &summary).await?;
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

/// A run with the series the caller may see (all, or one dealer's).
pub struct RunDetail {
    pub run: RunRow,
    /// Each series with its variant's name.
    pub series: Vec<(SeriesRow, String)>,
}

async fn detail(
    db: &Db,
    store: &dyn ReportStore,
    run: RunRow,
    dealer: Option<Uuid>,
) -> anyhow::Result<RunDetail> {
    let series = forecast_runs::series(db, run.id, dealer).await?;
    let names = super::labels::label_ids(
        store,
        Directory::Variants,
        series.iter().map(|s| s.variant_id),
    )
    .await?;
    let series = series
        .into_iter()
        .map(|s| {
            let name = names.get(&s.variant_id).cloned().unwrap_or_default();
            (s, name)
        })
        .collect();
    Ok(RunDetail { run, series })
}

/// One run, if it exists.
pub async fn run_detail(
    db: &Db,
    store: &dyn ReportStore,
    id: Uuid,
    dealer: Option<Uuid>,
) -> anyhow::Result<Option<RunDetail>> {
    match forecast_runs::run(db, id).await? {
        Some(run) => Ok(Some(detail(db, store, run, dealer).await?)),
        None => Ok(None),
    }
}

/// The latest finished run, if any.
pub async fn latest_detail(
    db: &Db,
    store: &dyn ReportStore,
    dealer: Option<Uuid>,
) -> anyhow::Result<Option<RunDetail>> {
    match forecast_runs::latest_finished(db).await? {
        Some(run) => Ok(Some(detail(db, store, run, dealer).await?)),
        None => Ok(None),
    }
}
