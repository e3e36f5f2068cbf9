//! Fitting one model to a history and forecasting with intervals: the augurs models (AutoETS,
//! MSTL) and the baselines behind one function.

use std::cell::OnceCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use augurs::ets::{AutoETS, FittedAutoETS};
use augurs::mstl::{FittedTrendModel, MSTLModel, TrendModel};
use augurs::{Fit, Forecast, Predict};
use serde_json::{json, Value};

use super::baseline::{self, Z80, Z95};
use super::{ForecastPoint, ModelKind, Spec};

/// The AutoETS search: any error type, no / additive / damped trend, no season (augurs-ets 0.10
/// has no seasonal ETS).
const ETS_SEARCH: &str = "ZZN";

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A forecast as a model gives it, before clamping.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub point: Vec<f64>,
    pub lower80: Vec<f64>,
    pub upper80: Vec<f64>,
    pub lower95: Vec<f64>,
    pub upper95: Vec<f64>,
}

impl Raw {
    /// Symmetric normal intervals around `point` with the given standard deviations.
    pub fn normal(point: Vec<f64>, sd: Vec<f64>) -> Self {
        let bound = |z: f64, sign: f64| -> Vec<f64> {
            point
                .iter()
                .zip(&sd)
                .map(|(p, s)| p + sign * z * s)
                .collect()
        };
        Self {
            lower80: bound(Z80, -1.0),
            upper80: bound(Z80, 1.0),
            lower95: bound(Z95, -1.0),
            upper95: bound(Z95, 1.0),
            point,
        }
    }

    /// From augurs forecasts of the same horizon at the 80 % and 95 % levels.
    fn from_augurs(f80: Forecast, f95: Forecast) -> Result<Self, String> {
        let (Some(i80), Some(i95)) = (f80.intervals, f95.intervals) else {
            return Err("the model returned no prediction intervals".to_owned());
        };
        Ok(Self {
            point: f80.point,
            lower80: i80.lower,
            upper80: i80.upper,
            lower95: i95.lower,
            upper95: i95.upper,
        })
    }

    /// Checks lengths and finiteness, then clamps at zero and nests the intervals:
    /// `0 ≤ lower95 ≤ lower80 ≤ point ≤ upper80 ≤ upper95`.
    pub fn into_points(self, horizon: usize) -> Result<Vec<ForecastPoint>, String> {
        let columns = [
            &self.point,
            &self.lower80,
            &self.upper80,
            &self.lower95,
            &self.upper95,
        ];
        if columns.iter().any(|c| c.len() != horizon) {
            return Err(format!(
                "the model returned {} points for a horizon of {horizon}",
                self.point.len()
            ));
        }
        if columns.iter().any(|c| c.iter().any(|v| !v.is_finite())) {
            return Err("the model returned a non-finite forecast".to_owned());
        }
        Ok((0..horizon)
            .map(|i| {
                let point = self.point[i].max(0.0);
                let lower80 = self.lower80[i].max(0.0).min(point);
                let upper80 = self.upper80[i].max(point);
                let lower95 = self.lower95[i].max(0.0).min(lower80);
                let upper95 = self.upper95[i].max(upper80);
                ForecastPoint {
                    step: i + 1,
                    point,
                    lower80,
                    upper80,
                    lower95,
                    upper95,
                }
            })
            .collect())
    }
}

/// A model fitted to a history: its clamped forecast and what it fitted.
#[derive(Debug, Clone)]
pub(crate) struct Fitted {
    pub points: Vec<ForecastPoint>,
    pub parameters: Value,
}

/// Fits `spec` to `y` and forecasts `horizon` weeks. A model that errs, panics or returns a
/// non-finite forecast is an `Err` with the reason, never a panic of the caller.
pub(crate) fn fit_predict(spec: Spec, y: &[f64], horizon: usize) -> Result<Fitted, String> {
    let run = || -> Result<(Raw, Value), String> {
        match spec.model {
            ModelKind::Mean if y.is_empty() => Err("no history".to_owned()),
            ModelKind::Mean => Ok(baseline::mean(y, horizon)),
            ModelKind::SeasonalNaive => baseline::seasonal_naive(y, spec.season_length, horizon),
            ModelKind::AutoEts => auto_ets(y, horizon),
            ModelKind::Mstl => mstl(y, spec.season_length, horizon),
        }
    };
    // augurs-ets still has `unimplemented!` and `expect` paths; a panic there must cost one
    // candidate, not the whole run.
    let (raw, parameters) = catch_unwind(AssertUnwindSafe(run))
        .map_err(|panic| format!("the model panicked: {}", panic_message(panic.as_ref())))??;
    Ok(Fitted {
        points: raw.into_points(horizon)?,
        // `json!` stores a non-finite number as `null`.
        parameters,
    })
}

fn auto_ets(y: &[f64], horizon: usize) -> Result<(Raw, Value), String> {
    let search = AutoETS::new(1, ETS_SEARCH).map_err(|e| e.to_string())?;
    let fitted = search.fit(y).map_err(|e| format!("AutoETS: {e}"))?;
    let raw = predict_both(&fitted, horizon).map_err(|e| format!("AutoETS: {e}"))?;
    let mut parameters = ets_summary(&fitted);
    parameters["interval_method"] = json!("augurs-ets analytical intervals of the fitted ETS");
    Ok((raw, parameters))
}

fn mstl(y: &[f64], season: usize, horizon: usize) -> Result<(Raw, Value), String> {
    let search = AutoETS::new(1, ETS_SEARCH).map_err(|e| e.to_string())?;
    let model = MSTLModel::new(vec![season], RecordingEtsTrend::new(search));
    let fitted = model.fit(y).map_err(|e| format!("MSTL: {e}"))?;
    let raw = predict_both(&fitted, horizon).map_err(|e| format!("MSTL: {e}"))?;
    let parameters = json!({
        "periods": [season],
        "stl": "stlrs defaults",
        "trend_model": model.trend_model().fitted.get().cloned().unwrap_or(Value::Null),
        "interval_method":
            "augurs-mstl: the trend ETS's analytical interval shifted by the seasonal component",
    });
    Ok((raw, parameters))
}

fn predict_both<P: Predict>(fitted: &P, horizon: usize) -> Result<Raw, String> {
    let f80 = fitted.predict(horizon, 0.80).map_err(|e| e.to_string())?;
    let f95 = fitted.predict(horizon, 0.95).map_err(|e| e.to_string())?;
    Raw::from_augurs(f80, f95)
}

/// What a fitted AutoETS chose. augurs-ets 0.10 does not expose the smoothing parameters
/// (alpha, beta, phi) of the fitted model, so the spec and its fit statistics are stored.
fn ets_summary(fitted: &FittedAutoETS) -> Value {
    let model = fitted.model();
    let kind = model.model_type();
    let spec = format!(
        "{}{}{}{}",
        kind.error,
        kind.trend,
        if model.damped() { "d" } else { "" },
        kind.season
    );
    json!({
        "search": ETS_SEARCH,
        "spec": spec,
        "damped": model.damped(),
        "aicc": model.aicc(),
        "aic": model.aic(),
        "bic": model.bic(),
        "log_likelihood": model.log_likelihood(),
        "mse": model.mse(),
    })
}

/// The AutoETS trend model of MSTL, remembering which ETS it fitted so the run can store it.
#[derive(Debug)]
struct RecordingEtsTrend {
    search: AutoETS,
    fitted: OnceCell<Value>,
}

impl RecordingEtsTrend {
    fn new(search: AutoETS) -> Self {
        Self {
            search,
            fitted: OnceCell::new(),
        }
    }
}

impl TrendModel for RecordingEtsTrend {
    fn name(&self) -> std::borrow::Cow<'_, str> {
        "AutoETS".into()
    }

    fn fit(&self, y: &[f64]) -> Result<Box<dyn FittedTrendModel + Sync + Send>, BoxError> {
        let fitted = self.search.fit(y)?;
        // Set once per MSTL fit; a second set could only repeat the same model.
        let _ = self.fitted.set(ets_summary(&fitted));
        Ok(Box::new(EtsTrend(fitted)))
    }
}

#[derive(Debug)]
struct EtsTrend(FittedAutoETS);

impl FittedTrendModel for EtsTrend {
    fn predict_inplace(
        &self,
        horizon: usize,
        level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        Ok(self.0.predict_inplace(horizon, level, forecast)?)
    }

    fn predict_in_sample_inplace(
        &self,
        level: Option<f64>,
        forecast: &mut Forecast,
    ) -> Result<(), BoxError> {
        Ok(self.0.predict_in_sample_inplace(level, forecast)?)
    }

    fn training_data_size(&self) -> Option<usize> {
        Some(self.0.training_data_size())
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
