//! A forecast run on the seeded history: stored with its backtest, intervals around every
//! point, and each dealer manager sees only their own dealer's series.

use super::report;
use crate::common::{problem, spawn_seeded_app, EVM, MANAGER_A, MANAGER_B, STAFF_A};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn a_forecast_run_on_the_seed_stores_intervals_and_a_backtest() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let manager_a = app.token(MANAGER_A).await;
    let staff = app.token(STAFF_A).await;

    problem(
        app.post_as(&manager_a, "/api/v1/reports/forecasts/runs", &json!({}))
            .await,
        403,
    )
    .await;
    problem(
        app.post_as(
            &evm,
            "/api/v1/reports/forecasts/runs",
            &json!({ "horizon": 13 }),
        )
        .await,
        422,
    )
    .await;
    problem(app.get_as(&staff, "/api/v1/reports/forecasts").await, 403).await;
    problem(app.get_as(&evm, "/api/v1/reports/forecasts").await, 404).await;

    let started = app
        .post_as(
            &evm,
            "/api/v1/reports/forecasts/runs",
            &json!({ "horizon": 8 }),
        )
        .await;
    assert_eq!(started.status(), 202);
    let started: Value = started.json().await.unwrap();
    let id = started["id"].as_str().unwrap().to_owned();
    let mut run = Value::Null;
    for _ in 0..600 {
        run = report(&app, &evm, &format!("/api/v1/reports/forecasts/runs/{id}")).await;
        if run["run"]["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(run["run"]["status"], "finished", "{}", run["run"]);
    let series = run["series"].as_array().unwrap();
    let network = series.iter().filter(|s| s["dealerId"].is_null()).count();
    assert_eq!(
        network,
        demo::DEMO_VARIANTS.len(),
        "one network series per variant"
    );
    assert!(
        series.len() > network,
        "dealer series where the history allows"
    );
    for s in series {
        let result = &s["result"];
        let forecast = &result["forecast"];
        let points = forecast["points"].as_array().unwrap();
        assert_eq!(points.len(), 8);
        for p in points {
            let v = |k: &str| p[k].as_f64().unwrap();
            assert!(
                v("lower95") <= v("lower80") && v("lower80") <= v("point"),
                "{p}"
            );
            assert!(
                v("point") <= v("upper80") && v("upper80") <= v("upper95"),
                "{p}"
            );
        }
        let backtest = &forecast["backtest"];
        assert!(backtest["mase"].as_f64().unwrap().is_finite(), "{backtest}");
        assert!(
            backtest["seasonalNaiveMase"].as_f64().is_some(),
            "{backtest}"
        );
        assert!(backtest["coverage80"].as_f64().is_some(), "{backtest}");
        assert!(forecast["historyWeeks"].as_u64().unwrap() >= 104);
        assert!(!s["model"].as_str().unwrap().is_empty());
    }
    let summary = &run["run"]["summary"];
    assert_eq!(summary["series"].as_u64().unwrap() as usize, series.len());

    // The latest run, as each dealer manager sees it: their own dealer's series only.
    for (token, dealer) in [
        (manager_a, demo::DEALER_A),
        (app.token(MANAGER_B).await, demo::DEALER_B),
    ] {
        let latest = report(&app, &token, "/api/v1/reports/forecasts").await;
        let mine = latest["series"].as_array().unwrap();
        assert!(!mine.is_empty());
        assert!(
            mine.iter().all(|s| s["dealerId"] == dealer.to_string()),
            "{latest}"
        );
    }
    let b = app.token(MANAGER_B).await;
    problem(
        app.get_as(
            &b,
            &format!("/api/v1/reports/forecasts?dealerId={}", demo::DEALER_A),
        )
        .await,
        404,
    )
    .await;
    let runs = report(&app, &evm, "/api/v1/reports/forecasts/runs").await;
    assert_eq!(runs["total"], 1);
}
