//! Weekly demand forecast of one series (a variant, network-wide or at one dealer).
//!
//! Pure and synchronous: the caller loads the weekly history, calls [`forecast_weekly`] and stores
//! the serialisable [`SeriesForecast`] as the run's record.
//!
//! # Models
//! - [`ModelKind::AutoEts`]: `augurs_ets::AutoETS` searching `ZZN` (additive or multiplicative
//!   error, no / additive / damped trend, chosen by AICc). Non-seasonal: augurs-ets 0.10 does not
//!   implement seasonal ETS (it panics on it), so seasonality comes from MSTL.
//! - [`ModelKind::Mstl`]: `augurs_mstl::MSTLModel` (STL decomposition, `stlrs` defaults) with the
//!   same AutoETS fitted to the seasonally adjusted series. Season 52 weeks when the shortest
//!   backtest training window holds two full years, else 13 weeks (a quarter) when it holds two
//!   quarters, else not run.
//! - [`ModelKind::SeasonalNaive`]: last season's value (season 52 when a year of history is
//!   there, else 13, else 1: plain naive).
//! - [`ModelKind::Mean`]: mean of the history.
//!
//! # Intervals
//! The augurs models' 80 % and 95 % intervals are their own (analytical ETS intervals; MSTL shifts
//! the trend model's interval by the seasonal component). The baselines use the **in-sample
//! residual standard deviation** with normal quantiles: mean `σ·√(1 + 1/T)`, seasonal naive
//! `σ·√(⌊(h−1)/m⌋ + 1)` (Hyndman & Athanasopoulos, FPP3 §5.5). Every point and bound is clamped
//! at zero, then made nested: `lower95 ≤ lower80 ≤ point ≤ upper80 ≤ upper95`.
//!
//! # Selection
//! A rolling-origin backtest (up to [`MAX_FOLDS`] origins, [`FOLD_STEP`] weeks apart, each
//! forecasting the requested horizon, or less when the history is short) scores every candidate
//! by MASE; the lowest wins (ties go to the simpler model, baselines first). MASE is scaled, per
//! fold, by the in-sample MAE on that fold's training window of the seasonal naive forecast of
//! season 52 when the shortest training window holds two years, else of season 1; a zero scale (a
//! flat series) falls back to the mean absolute level, then to 1 unit, so the figure stays finite.
//! With [`FOLD_STEP`] × ([`MAX_FOLDS`] − 1) + horizon = 32 weeks held back at horizon 12, the
//! yearly season needs 136 weeks of history; a two-year series gets the quarterly MSTL. sMAPE is in percent with
//! `0/0` counted as 0. A model that fails to fit (in any fold or on the full history) is recorded
//! in [`SeriesForecast::skipped`] and the run goes on.
//!
//! A history shorter than [`MIN_BACKTEST_WEEKS`] gets the mean model without a backtest and
//! [`Fallback::ShortHistory`].

mod backtest;
mod baseline;
mod models;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// The longest horizon served, in weeks.
pub const MAX_HORIZON: usize = 12;
/// Fewer weeks than this are too few to forecast at all.
pub const MIN_WEEKS: usize = 2;
/// Fewer weeks than this get the mean model, flagged, without a backtest.
pub const MIN_BACKTEST_WEEKS: usize = 12;
/// The most rolling origins of the backtest.
pub const MAX_FOLDS: usize = 6;
/// Weeks between two backtest origins.
pub const FOLD_STEP: usize = 4;
/// A year of weeks: the main season of vehicle demand.
pub const YEARLY_SEASON: usize = 52;
/// A quarter of weeks: the season used when two years of history are not there.
pub const QUARTERLY_SEASON: usize = 13;

/// One series to forecast.
#[derive(Debug, Clone, Copy)]
pub struct ForecastRequest<'a> {
    /// Weekly units, oldest first, one value per week with no gaps (a week without sales is 0).
    pub history: &'a [f64],
    /// Weeks ahead, `1..=MAX_HORIZON`.
    pub horizon: usize,
}

/// A forecasting model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    AutoEts,
    Mstl,
    SeasonalNaive,
    Mean,
}

/// One week ahead of the forecast. Always `0 ≤ lower95 ≤ lower80 ≤ point ≤ upper80 ≤ upper95`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    /// Weeks after the last week of history, from 1.
    pub step: usize,
    pub point: f64,
    pub lower80: f64,
    pub upper80: f64,
    pub lower95: f64,
    pub upper95: f64,
}

/// The rolling-origin backtest of one model on one series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// Forecast origins evaluated.
    pub folds: usize,
    /// Weeks forecast from each origin.
    pub horizon: usize,
    /// Mean absolute scaled error over all folds and steps.
    pub mase: f64,
    /// Symmetric MAPE in percent (0–200), `0/0` counted as 0.
    pub smape: f64,
    /// Share of actual weeks inside the 80 % interval (0–1).
    pub coverage80: f64,
    /// Share of actual weeks inside the 95 % interval (0–1).
    pub coverage95: f64,
    /// The seasonal-naive baseline's MASE on the same folds.
    pub seasonal_naive_mase: f64,
    /// The mean baseline's MASE on the same folds.
    pub mean_mase: f64,
    /// `mase / seasonal_naive_mase`, above 1 when the baseline wins. 1 when both are 0; `None`
    /// when only the baseline is 0 (the ratio is unbounded).
    pub relative_mase: Option<f64>,
    /// The season of the naive forecast whose in-sample MAE scales the errors (52 or 1).
    pub mase_scale_season: usize,
}

/// A model that went through the whole backtest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub model: ModelKind,
    /// The season the model was given, in weeks (1: none).
    pub season_length: usize,
    pub backtest: Backtest,
}

/// When a model failed: in a backtest fold (it is then no candidate) or on the full history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipStage {
    /// The history is too short for the model's season; it was not run.
    NotApplicable,
    Backtest,
    FinalFit,
}

/// A model left out of the run, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedModel {
    pub model: ModelKind,
    pub season_length: usize,
    pub stage: SkipStage,
    pub reason: String,
}

/// Why the run did not go the normal way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Fallback {
    /// Too little history for a backtest: the mean model, not evaluated.
    ShortHistory { weeks: usize, required: usize },
}

/// The forecast of one series, as stored for a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesForecast {
    /// The model chosen (the lowest backtest MASE).
    pub model: ModelKind,
    /// Its season in weeks (1: none).
    pub season_length: usize,
    /// What the chosen model fitted on the full history (ETS spec, AICc, mean, residual sd, the
    /// interval method, ...). Non-finite numbers are stored as `null`.
    pub parameters: serde_json::Value,
    pub history_weeks: usize,
    /// One per week ahead, `step` 1..=horizon.
    pub points: Vec<ForecastPoint>,
    /// The chosen model's backtest; `None` only with [`Fallback::ShortHistory`].
    pub backtest: Option<Backtest>,
    /// Every model that completed the backtest, in evaluation order.
    pub candidates: Vec<Candidate>,
    /// Models that were not applicable or failed.
    pub skipped: Vec<SkippedModel>,
    pub fallback: Option<Fallback>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("horizon must be 1..={MAX_HORIZON} weeks, got {0}")]
    BadHorizon(usize),
    #[error("history of {weeks} weeks is too short, at least {required} needed")]
    TooShortHistory { weeks: usize, required: usize },
    #[error(
        "week {index} of the history is {value}: demand must be a finite, non-negative number"
    )]
    InvalidValue { index: usize, value: f64 },
    #[error("no model could forecast the series: {0}")]
    ModelFailure(String),
}

/// What a model is run with: the model and its season.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    pub model: ModelKind,
    pub season_length: usize,
}

/// Forecasts one weekly series: backtests every applicable model, picks the lowest MASE, refits it
/// on the full history and returns its points with 80 % and 95 % intervals.
pub fn forecast_weekly(req: ForecastRequest<'_>) -> Result<SeriesForecast, ForecastError> {
    let ForecastRequest {
        history: y,
        horizon,
    } = req;
    if !(1..=MAX_HORIZON).contains(&horizon) {
        return Err(ForecastError::BadHorizon(horizon));
    }
    if y.len() < MIN_WEEKS {
        return Err(ForecastError::TooShortHistory {
            weeks: y.len(),
            required: MIN_WEEKS,
        });
    }
    if let Some((index, &value)) = y
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(ForecastError::InvalidValue { index, value });
    }

    let mean = Spec {
        model: ModelKind::Mean,
        season_length: 1,
    };
    let Some(plan) = backtest::Plan::new(y.len(), horizon) else {
        let fitted = models::fit_predict(mean, y, horizon).map_err(ForecastError::ModelFailure)?;
        return Ok(SeriesForecast {
            model: ModelKind::Mean,
            season_length: 1,
            parameters: fitted.parameters,
            history_weeks: y.len(),
            points: fitted.points,
            backtest: None,
            candidates: Vec::new(),
            skipped: Vec::new(),
            fallback: Some(Fallback::ShortHistory {
                weeks: y.len(),
                required: MIN_BACKTEST_WEEKS,
            }),
        });
    };

    let shortest = plan.shortest_training();
    let naive_season = if shortest >= YEARLY_SEASON {
        YEARLY_SEASON
    } else if shortest >= QUARTERLY_SEASON {
        QUARTERLY_SEASON
    } else {
        1
    };
    let decomposition_season = if shortest >= 2 * YEARLY_SEASON {
        Some(YEARLY_SEASON)
    } else if shortest >= 2 * QUARTERLY_SEASON {
        Some(QUARTERLY_SEASON)
    } else {
        None
    };
    let seasonal_naive = Spec {
        model: ModelKind::SeasonalNaive,
        season_length: naive_season,
    };
    let mut specs = vec![
        mean,
        seasonal_naive,
        Spec {
            model: ModelKind::AutoEts,
            season_length: 1,
        },
    ];
    let mut skipped = Vec::new();
    match decomposition_season {
        Some(season_length) => specs.push(Spec {
            model: ModelKind::Mstl,
            season_length,
        }),
        None => skipped.push(SkippedModel {
            model: ModelKind::Mstl,
            season_length: 1,
            stage: SkipStage::NotApplicable,
            reason: format!(
                "the shortest backtest training window has {shortest} weeks, fewer than two \
                 seasons of {QUARTERLY_SEASON}"
            ),
        }),
    }

    let mut scored = Vec::with_capacity(specs.len());
    for spec in specs {
        match plan.evaluate(spec, y) {
            Ok(score) => scored.push((spec, score)),
            Err(reason) => skipped.push(SkippedModel {
                model: spec.model,
                season_length: spec.season_length,
                stage: SkipStage::Backtest,
                reason,
            }),
        }
    }
    let baseline = |wanted: Spec| {
        scored
            .iter()
            .find(|(spec, _)| *spec == wanted)
            .map(|(_, score)| score.mase)
            .ok_or_else(|| {
                ForecastError::ModelFailure(format!("the {:?} baseline failed", wanted.model))
            })
    };
    let seasonal_naive_mase = baseline(seasonal_naive)?;
    let mean_mase = baseline(mean)?;
    let candidates: Vec<Candidate> = scored
        .iter()
        .map(|(spec, score)| Candidate {
            model: spec.model,
            season_length: spec.season_length,
            backtest: score.backtest(&plan, seasonal_naive_mase, mean_mase),
        })
        .collect();

    // Stable: on equal MASE the earlier (simpler) candidate wins.
    let mut ranking: Vec<usize> = (0..candidates.len()).collect();
    ranking.sort_by(|&a, &b| {
        candidates[a]
            .backtest
            .mase
            .total_cmp(&candidates[b].backtest.mase)
    });
    let mut failures = Vec::new();
    for index in ranking {
        let candidate = candidates[index];
        let spec = Spec {
            model: candidate.model,
            season_length: candidate.season_length,
        };
        match models::fit_predict(spec, y, horizon) {
            Ok(fitted) => {
                let (model, season_length, backtest) =
                    (candidate.model, candidate.season_length, candidate.backtest);
                skipped.extend(failures);
                return Ok(SeriesForecast {
                    model,
                    season_length,
                    parameters: fitted.parameters,
                    history_weeks: y.len(),
                    points: fitted.points,
                    backtest: Some(backtest),
                    candidates,
                    skipped,
                    fallback: None,
                });
            }
            Err(reason) => failures.push(SkippedModel {
                model: spec.model,
                season_length: spec.season_length,
                stage: SkipStage::FinalFit,
                reason,
            }),
        }
    }
    Err(ForecastError::ModelFailure(
        failures
            .iter()
            .map(|f| format!("{:?}: {}", f.model, f.reason))
            .collect::<Vec<_>>()
            .join("; "),
    ))
}
