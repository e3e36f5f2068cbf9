//! Rolling-origin backtest: fit on the weeks before an origin, forecast the weeks after it,
//! score against what happened.

use super::models::fit_predict;
use super::{Backtest, Spec, FOLD_STEP, MAX_FOLDS, MIN_BACKTEST_WEEKS, YEARLY_SEASON};

/// The fewest weeks a fold trains on.
const MIN_TRAINING: usize = MIN_BACKTEST_WEEKS - 2;

/// Where the folds start and how far they look.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Weeks forecast from each origin.
    horizon: usize,
    /// Training lengths, latest first; fold `i` trains on `y[..origins[i]]`.
    origins: Vec<usize>,
    /// The season of the naive forecast that scales the errors.
    scale_season: usize,
}

impl Plan {
    /// Up to [`MAX_FOLDS`] origins [`FOLD_STEP`] weeks apart, the latest leaving exactly the
    /// horizon to test; the horizon shrinks so the latest fold trains on at least
    /// `MIN_TRAINING` weeks. `None` below [`MIN_BACKTEST_WEEKS`].
    pub fn new(n: usize, horizon: usize) -> Option<Self> {
        if n < MIN_BACKTEST_WEEKS || horizon == 0 {
            return None;
        }
        let horizon = horizon.min(n - MIN_TRAINING);
        let origins: Vec<usize> = (0..MAX_FOLDS)
            .map_while(|i| (n - horizon).checked_sub(i * FOLD_STEP))
            .take_while(|&origin| origin >= MIN_TRAINING)
            .collect();
        let shortest = *origins.last()?;
        let scale_season = if shortest >= 2 * YEARLY_SEASON {
            YEARLY_SEASON
        } else {
            1
        };
        Some(Self {
            horizon,
            origins,
            scale_season,
        })
    }

    /// The fewest weeks any fold trains on.
    pub fn shortest_training(&self) -> usize {
        self.origins.iter().copied().min().unwrap_or(0)
    }

    /// Runs `spec` on every fold. `Err` with the reason when it fails on any of them.
    pub fn evaluate(&self, spec: Spec, y: &[f64]) -> Result<Score, String> {
        let mut scaled_errors = 0.0;
        let mut smape_terms = 0.0;
        let (mut inside80, mut inside95, mut count) = (0usize, 0usize, 0usize);
        for &origin in &self.origins {
            let (train, actual) = (&y[..origin], &y[origin..origin + self.horizon]);
            let fitted = fit_predict(spec, train, self.horizon)
                .map_err(|e| format!("fold trained on {origin} weeks: {e}"))?;
            let scale = mase_scale(train, self.scale_season);
            for (p, &a) in fitted.points.iter().zip(actual) {
                scaled_errors += (a - p.point).abs() / scale;
                let denominator = a.abs() + p.point.abs();
                if denominator > 0.0 {
                    smape_terms += 2.0 * (a - p.point).abs() / denominator;
                }
                inside80 += usize::from(p.lower80 <= a && a <= p.upper80);
                inside95 += usize::from(p.lower95 <= a && a <= p.upper95);
                count += 1;
            }
        }
        if count == 0 {
            return Err("no fold to evaluate".to_owned());
        }
        let count_f = count as f64;
        Ok(Score {
            folds: self.origins.len(),
            mase: scaled_errors / count_f,
            smape: 100.0 * smape_terms / count_f,
            coverage80: inside80 as f64 / count_f,
            coverage95: inside95 as f64 / count_f,
        })
    }

    pub fn horizon(&self) -> usize {
        self.horizon
    }

    pub fn scale_season(&self) -> usize {
        self.scale_season
    }
}

/// One model's backtest figures, before the baselines are known.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Score {
    pub folds: usize,
    pub mase: f64,
    pub smape: f64,
    pub coverage80: f64,
    pub coverage95: f64,
}

impl Score {
    pub fn backtest(&self, plan: &Plan, seasonal_naive_mase: f64, mean_mase: f64) -> Backtest {
        let relative_mase = if seasonal_naive_mase > 0.0 {
            Some(self.mase / seasonal_naive_mase)
        } else if self.mase == 0.0 {
            Some(1.0)
        } else {
            None
        };
        Backtest {
            folds: self.folds,
            horizon: plan.horizon(),
            mase: self.mase,
            smape: self.smape,
            coverage80: self.coverage80,
            coverage95: self.coverage95,
            seasonal_naive_mase,
            mean_mase,
            relative_mase,
            mase_scale_season: plan.scale_season(),
        }
    }
}

/// The in-sample MAE of the seasonal naive forecast of `season` on `train`: the MASE
/// denominator. A flat training window has none, so the mean absolute level stands in, then 1
/// unit (an all-zero window), keeping MASE finite.
pub(crate) fn mase_scale(train: &[f64], season: usize) -> f64 {
    let season = if train.len() > season { season } else { 1 };
    let diffs = train.len().saturating_sub(season);
    if diffs > 0 {
        let mae = (season..train.len())
            .map(|t| (train[t] - train[t - season]).abs())
            .sum::<f64>()
            / diffs as f64;
        if mae > 0.0 {
            return mae;
        }
    }
    if !train.is_empty() {
        let level = train.iter().map(|v| v.abs()).sum::<f64>() / train.len() as f64;
        if level > 0.0 {
            return level;
        }
    }
    1.0
}
