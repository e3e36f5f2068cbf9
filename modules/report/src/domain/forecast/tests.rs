use std::time::Instant;

use super::backtest::{mase_scale, Plan};
use super::models::Raw;
use super::*;

/// A fixed-seed generator (SplitMix64) with Box–Muller normals: deterministic noise.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Weekly units: level 20, +0.08 a week, a yearly swing of ±6, noise of sd 2, whole units.
fn trend_seasonal(weeks: usize, seed: u64) -> Vec<f64> {
    let mut noise = Noise(seed);
    (0..weeks)
        .map(|t| {
            let t_f = t as f64;
            let season = 6.0 * (2.0 * std::f64::consts::PI * t_f / 52.0).sin();
            (20.0 + 0.08 * t_f + season + 2.0 * noise.normal())
                .round()
                .max(0.0)
        })
        .collect()
}

fn run(history: &[f64], horizon: usize) -> SeriesForecast {
    match forecast_weekly(ForecastRequest { history, horizon }) {
        Ok(forecast) => forecast,
        Err(e) => panic!("forecast failed: {e}"),
    }
}

fn assert_backtest_sane(b: &Backtest) {
    for (name, v) in [
        ("mase", b.mase),
        ("smape", b.smape),
        ("coverage80", b.coverage80),
        ("coverage95", b.coverage95),
        ("seasonal_naive_mase", b.seasonal_naive_mase),
        ("mean_mase", b.mean_mase),
    ] {
        assert!(v.is_finite() && v >= 0.0, "{name} = {v}");
    }
    assert!((0.0..=1.0).contains(&b.coverage80), "{b:?}");
    assert!((0.0..=1.0).contains(&b.coverage95), "{b:?}");
    assert!(b.smape <= 200.0, "{b:?}");
    assert!(b.folds >= 1 && b.horizon >= 1, "{b:?}");
    if let Some(r) = b.relative_mase {
        assert!(r.is_finite() && r >= 0.0, "{b:?}");
    }
}

/// Everything a stored run promises, whatever the series.
fn assert_sane(f: &SeriesForecast, horizon: usize) {
    assert_eq!(f.points.len(), horizon);
    for (i, p) in f.points.iter().enumerate() {
        assert_eq!(p.step, i + 1);
        for v in [p.point, p.lower80, p.upper80, p.lower95, p.upper95] {
            assert!(v.is_finite(), "{p:?}");
        }
        assert!(0.0 <= p.lower95, "{p:?}");
        assert!(p.lower95 <= p.lower80, "{p:?}");
        assert!(p.lower80 <= p.point, "{p:?}");
        assert!(p.point <= p.upper80, "{p:?}");
        assert!(p.upper80 <= p.upper95, "{p:?}");
    }
    if let Some(b) = &f.backtest {
        assert_backtest_sane(b);
        let best = f
            .candidates
            .iter()
            .map(|c| c.backtest.mase)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(b.mase, best, "the chosen model has the lowest MASE");
        assert!(f
            .candidates
            .iter()
            .any(|c| c.model == f.model && c.season_length == f.season_length));
    }
    for c in &f.candidates {
        assert_backtest_sane(&c.backtest);
    }
    let json = serde_json::to_string(f).unwrap_or_default();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    // serde_json's default float parsing may differ in the last bit: compare the shape.
    let back: SeriesForecast = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (back.model, back.points.len(), back.candidates.len()),
        (f.model, f.points.len(), f.candidates.len())
    );
}

#[test]
fn trend_and_yearly_season_three_years() {
    let history = trend_seasonal(156, 42);
    let f = run(&history, 12);
    assert_sane(&f, 12);
    assert_eq!(f.fallback, None);
    let b = f.backtest.unwrap_or_else(|| panic!("no backtest"));
    assert_eq!((b.folds, b.horizon, b.mase_scale_season), (6, 12, 52));
    // Every model ran: two baselines, AutoETS and MSTL with the yearly season.
    let kinds: Vec<(ModelKind, usize)> = f
        .candidates
        .iter()
        .map(|c| (c.model, c.season_length))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ModelKind::Mean, 1),
            (ModelKind::SeasonalNaive, 52),
            (ModelKind::AutoEts, 1),
            (ModelKind::Mstl, 52),
        ],
        "skipped: {:?}",
        f.skipped
    );
    // The signal is strong: the mean baseline must lose.
    assert_ne!(f.model, ModelKind::Mean);
    assert!(b.mase < b.mean_mase, "{b:?}");
    println!(
        "156 weeks: chose {:?} (season {}), {}",
        f.model,
        f.season_length,
        serde_json::to_string(&f.candidates).unwrap_or_default()
    );
}

#[test]
fn two_years_get_a_quarterly_decomposition_and_a_yearly_naive() {
    // The folds train on 80–100 weeks: too few for two yearly seasons.
    let history = trend_seasonal(104, 7);
    let f = run(&history, 12);
    assert_sane(&f, 12);
    let b = f.backtest.unwrap_or_else(|| panic!("no backtest"));
    assert_eq!(b.mase_scale_season, 1);
    let seasons: Vec<(ModelKind, usize)> = f
        .candidates
        .iter()
        .map(|c| (c.model, c.season_length))
        .collect();
    assert!(
        seasons.contains(&(ModelKind::SeasonalNaive, 52)),
        "{seasons:?}"
    );
    assert!(seasons.contains(&(ModelKind::Mstl, 13)), "{seasons:?}");
}

#[test]
fn half_a_year_has_no_seasonal_model() {
    let history = trend_seasonal(30, 3);
    let f = run(&history, 12);
    assert_sane(&f, 12);
    assert!(f
        .skipped
        .iter()
        .any(|s| s.model == ModelKind::Mstl && s.stage == SkipStage::NotApplicable));
    assert!(f
        .candidates
        .iter()
        .any(|c| c.model == ModelKind::SeasonalNaive && c.season_length == 1));
}

#[test]
fn flat_series() {
    let history = vec![5.0; 80];
    let f = run(&history, 8);
    assert_sane(&f, 8);
    for p in &f.points {
        assert!((p.point - 5.0).abs() < 1e-6, "{p:?}");
    }
    let b = f.backtest.unwrap_or_else(|| panic!("no backtest"));
    assert_eq!(b.mase, 0.0);
    assert_eq!(b.relative_mase, Some(1.0));
    assert_eq!((b.coverage80, b.coverage95), (1.0, 1.0));
}

#[test]
fn all_zero_series_has_no_nan() {
    let history = vec![0.0; 104];
    let f = run(&history, 12);
    assert_sane(&f, 12);
    for p in &f.points {
        assert_eq!(
            [p.point, p.lower80, p.upper80, p.lower95, p.upper95],
            [0.0; 5]
        );
    }
    let b = f.backtest.unwrap_or_else(|| panic!("no backtest"));
    assert_eq!((b.mase, b.smape), (0.0, 0.0));
}

#[test]
fn sparse_intermittent_series() {
    // A slow variant at one dealer: mostly zeros, now and then one or two.
    let mut noise = Noise(11);
    let history: Vec<f64> = (0..120)
        .map(|_| match noise.uniform() {
            u if u < 0.75 => 0.0,
            u if u < 0.95 => 1.0,
            _ => 2.0,
        })
        .collect();
    let f = run(&history, 12);
    assert_sane(&f, 12);
}

#[test]
fn too_short_history_falls_back_to_the_mean() {
    let history = [3.0, 5.0, 4.0, 6.0, 2.0, 4.0, 5.0, 3.0];
    let f = run(&history, 4);
    assert_sane(&f, 4);
    assert_eq!(f.model, ModelKind::Mean);
    assert_eq!(
        f.fallback,
        Some(Fallback::ShortHistory {
            weeks: 8,
            required: MIN_BACKTEST_WEEKS
        })
    );
    assert_eq!(f.backtest, None);
    assert!(f.candidates.is_empty());
    assert!((f.points[0].point - 4.0).abs() < 1e-9);
    assert!(f.points[0].upper95 > f.points[0].upper80);
}

#[test]
fn bad_requests_are_errors() {
    let history = trend_seasonal(60, 1);
    for horizon in [0, 13] {
        assert_eq!(
            forecast_weekly(ForecastRequest {
                history: &history,
                horizon
            }),
            Err(ForecastError::BadHorizon(horizon))
        );
    }
    assert_eq!(
        forecast_weekly(ForecastRequest {
            history: &[4.0],
            horizon: 4
        }),
        Err(ForecastError::TooShortHistory {
            weeks: 1,
            required: MIN_WEEKS
        })
    );
    let mut bad = history.clone();
    bad[10] = -1.0;
    assert!(matches!(
        forecast_weekly(ForecastRequest {
            history: &bad,
            horizon: 4
        }),
        Err(ForecastError::InvalidValue { index: 10, .. })
    ));
    bad[10] = f64::NAN;
    assert!(matches!(
        forecast_weekly(ForecastRequest {
            history: &bad,
            horizon: 4
        }),
        Err(ForecastError::InvalidValue { index: 10, .. })
    ));
}

#[test]
fn every_horizon_and_short_lengths_stay_sane() {
    for weeks in [12, 13, 20, 27, 53, 64] {
        let history = trend_seasonal(weeks, weeks as u64);
        for horizon in [1, 5, 12] {
            assert_sane(&run(&history, horizon), horizon);
        }
    }
}

#[test]
fn clamping_keeps_intervals_nested_and_non_negative() {
    let raw = Raw {
        point: vec![-1.0, 2.0],
        lower80: vec![-3.0, 2.5],
        upper80: vec![1.0, 1.5],
        lower95: vec![-4.0, 1.0],
        upper95: vec![2.0, 3.0],
    };
    let points = raw.into_points(2).unwrap_or_default();
    assert_eq!(points[0].point, 0.0);
    assert_eq!((points[0].lower95, points[0].upper95), (0.0, 2.0));
    // A point outside its own interval drags the bounds to it.
    assert_eq!((points[1].lower80, points[1].upper80), (2.0, 2.0));
    assert_eq!((points[1].lower95, points[1].upper95), (1.0, 3.0));
    let nan = Raw::normal(vec![f64::NAN], vec![1.0]);
    assert!(nan.into_points(1).is_err());
}

#[test]
fn mase_scale_falls_back_on_flat_windows() {
    assert_eq!(mase_scale(&[1.0, 3.0, 2.0], 1), 1.5);
    assert_eq!(mase_scale(&[4.0, 4.0, 4.0], 1), 4.0);
    assert_eq!(mase_scale(&[0.0, 0.0], 1), 1.0);
    // Season longer than the window: season 1.
    assert_eq!(mase_scale(&[1.0, 2.0], 52), 1.0);
}

#[test]
fn backtest_plan() {
    let plan = Plan::new(156, 12).unwrap_or_else(|| panic!("no plan"));
    assert_eq!(
        (
            plan.horizon(),
            plan.shortest_training(),
            plan.scale_season()
        ),
        (12, 124, 52)
    );
    let short = Plan::new(14, 12).unwrap_or_else(|| panic!("no plan"));
    assert_eq!((short.horizon(), short.shortest_training()), (4, 10));
    assert!(Plan::new(11, 4).is_none());
}

#[test]
fn seasonal_naive_repeats_last_season() {
    let y: Vec<f64> = (0..10).map(f64::from).collect();
    let f = run(&y.repeat(2), 1);
    assert_sane(&f, 1);
    let history: Vec<f64> = (0..60).map(|t| f64::from(t % 4)).collect();
    let spec = Spec {
        model: ModelKind::SeasonalNaive,
        season_length: 4,
    };
    let fitted = models::fit_predict(spec, &history, 6).unwrap_or_else(|e| panic!("{e}"));
    let points: Vec<f64> = fitted.points.iter().map(|p| p.point).collect();
    assert_eq!(points, vec![0.0, 1.0, 2.0, 3.0, 0.0, 1.0]);
    // A perfect seasonal fit: no residual, no width.
    assert!(fitted.points.iter().all(|p| p.upper95 == p.point));
}

/// `cargo test -p report --release --lib -- --nocapture forecast_timing` prints the cost.
#[test]
fn forecast_timing_156_weeks() {
    let history = trend_seasonal(156, 2024);
    let start = Instant::now();
    let f = run(&history, 12);
    let elapsed = start.elapsed();
    assert_sane(&f, 12);
    println!(
        "forecast of one 156-week series, horizon 12, {} candidates x {} folds + refit: {:.1} ms \
         ({})",
        f.candidates.len(),
        f.backtest.map_or(0, |b| b.folds),
        elapsed.as_secs_f64() * 1e3,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs_f64() < 1.0, "{elapsed:?}");
    }
}
