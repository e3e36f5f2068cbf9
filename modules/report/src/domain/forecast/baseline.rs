//! The two baselines every model must beat: the mean of the history and last season's value.
//!
//! Intervals: normal quantiles of the in-sample residual standard deviation, with the horizon
//! scaling of FPP3 §5.5 (mean `σ·√(1 + 1/T)`, seasonal naive `σ·√(⌊(h−1)/m⌋ + 1)`).

use super::models::Raw;

/// The standard normal quantiles of the 80 % and 95 % two-sided intervals.
pub(super) const Z80: f64 = 1.281_551_565_544_600_4;
pub(super) const Z95: f64 = 1.959_963_984_540_054;

/// The mean of `y`, flat over the horizon. Needs `y` non-empty.
pub(super) fn mean(y: &[f64], horizon: usize) -> (Raw, serde_json::Value) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let sd = if y.len() > 1 {
        (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let sd_h = sd * (1.0 + 1.0 / n).sqrt();
    let raw = Raw::normal(vec![mean; horizon], vec![sd_h; horizon]);
    let parameters = serde_json::json!({
        "mean": mean,
        "residual_sd": sd,
        "interval_method": "normal quantiles of the in-sample residual sd, sd*sqrt(1+1/T)",
    });
    (raw, parameters)
}

/// Last season's value: the forecast `h` weeks ahead is the value of the same week of the last
/// full season. Needs `y.len() >= season` and `season >= 1` (season 1 is the naive forecast).
pub(super) fn seasonal_naive(
    y: &[f64],
    season: usize,
    horizon: usize,
) -> Result<(Raw, serde_json::Value), String> {
    let n = y.len();
    if season == 0 || n < season {
        return Err(format!("{n} weeks are fewer than one season of {season}"));
    }
    let last_season = &y[n - season..];
    let point: Vec<f64> = (0..horizon).map(|h| last_season[h % season]).collect();
    let residuals: Vec<f64> = (season..n).map(|t| y[t] - y[t - season]).collect();
    let sd = if residuals.is_empty() {
        0.0
    } else {
        (residuals.iter().map(|e| e * e).sum::<f64>() / residuals.len() as f64).sqrt()
    };
    let sd_h = (1..=horizon)
        .map(|h| sd * (((h - 1) / season) as f64 + 1.0).sqrt())
        .collect();
    let parameters = serde_json::json!({
        "season_length": season,
        "residual_sd": sd,
        "interval_method":
            "normal quantiles of the in-sample residual sd, sd*sqrt(floor((h-1)/m)+1)",
    });
    Ok((Raw::normal(point, sd_h), parameters))
}
