//! Who sees which figures: the OEM the network, a dealer manager their dealer, dealer staff
//! their own; another dealer's figures are never reachable, whatever the filters say.

use super::report;
use crate::common::{problem, spawn_seeded_app, EVM, MANAGER_A, MANAGER_B, STAFF_A, STAFF_B};
use contracts::seed as demo;

/// Reports with personal figures for dealer staff (inventory is the dealer's, for everyone).
const REPORTS: &[&str] = &[
    "/api/v1/reports/sales",
    "/api/v1/reports/orders",
    "/api/v1/reports/promotions",
    "/api/v1/reports/funnel",
    "/api/v1/reports/debts/customers",
    "/api/v1/reports/dashboard",
];
const MANAGER_REPORTS: &[&str] = &[
    "/api/v1/reports/targets",
    "/api/v1/reports/debts/dealers",
    "/api/v1/reports/forecasts/runs",
];

#[tokio::test]
async fn every_report_keeps_to_the_callers_dealer_and_role() {
    let app = spawn_seeded_app().await;
    let manager_b = app.token(MANAGER_B).await;
    let staff_a = app.token(STAFF_A).await;
    let staff_b_id = demo::DEMO_USER_IDS[5];
    let a = demo::DEALER_A;

    for path in REPORTS.iter().chain(MANAGER_REPORTS) {
        problem(app.get(path).await, 401).await;
        // Dealer B's manager asking for dealer A's figures: not found, whatever the report.
        let response = app
            .get_as(&manager_b, &format!("{path}?dealerId={a}"))
            .await;
        assert_eq!(response.status(), 404, "{path}");
    }
    for path in REPORTS {
        // Staff asking for a colleague's or another dealer's figures.
        let colleague = app
            .get_as(&staff_a, &format!("{path}?staffId={staff_b_id}"))
            .await;
        assert_eq!(colleague.status(), 404, "{path} with staffId");
        let other = app
            .get_as(&staff_a, &format!("{path}?dealerId={}", demo::DEALER_B))
            .await;
        assert_eq!(other.status(), 404, "{path} with dealerId");
        report(&app, &staff_a, path).await;
    }
    for path in MANAGER_REPORTS {
        problem(app.get_as(&staff_a, path).await, 403).await;
    }
    let inventory = "/api/v1/reports/inventory";
    problem(app.get(inventory).await, 401).await;
    problem(
        app.get_as(&manager_b, &format!("{inventory}?dealerId={a}"))
            .await,
        404,
    )
    .await;
    problem(
        app.get_as(
            &staff_a,
            &format!("{inventory}?dealerId={}", demo::DEALER_B),
        )
        .await,
        404,
    )
    .await;
    problem(
        app.get_as(&manager_b, "/api/v1/reports/inventory?side=oem")
            .await,
        403,
    )
    .await;
    problem(
        app.get_as(&manager_b, "/api/v1/reports/sales?groupBy=colour")
            .await,
        422,
    )
    .await;
    problem(
        app.get_as(&manager_b, "/api/v1/reports/sales?from=2026-13-01")
            .await,
        422,
    )
    .await;
    problem(
        app.get_as(
            &manager_b,
            "/api/v1/reports/sales?from=2026-02-01&to=2026-01-01",
        )
        .await,
        422,
    )
    .await;
    problem(
        app.get_as(&manager_b, "/api/v1/reports/sales?branchId=nope")
            .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn figures_are_the_callers_own() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let manager_a = app.token(MANAGER_A).await;
    let manager_b = app.token(MANAGER_B).await;
    let staff_b = app.token(STAFF_B).await;
    let year = "from=2025-01-01&to=2026-12-31";

    // The seeded history: the OEM sees both dealers, each manager only theirs.
    let network = report(
        &app,
        &evm,
        &format!("/api/v1/reports/sales?groupBy=dealer&interval=month&{year}"),
    )
    .await;
    let dealers: std::collections::BTreeSet<String> = network["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        dealers,
        [demo::DEALER_A.to_string(), demo::DEALER_B.to_string()].into()
    );
    let only_b = report(
        &app,
        &manager_b,
        &format!("/api/v1/reports/sales?groupBy=dealer&{year}"),
    )
    .await;
    assert!(only_b["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["key"] == demo::DEALER_B.to_string()));
    let only_a = report(
        &app,
        &manager_a,
        &format!("/api/v1/reports/sales?groupBy=region&{year}"),
    )
    .await;
    assert!(
        only_a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["key"] == "South"),
        "{only_a}"
    );
    let units = |r: &serde_json::Value| r["totals"]["units"].as_i64().unwrap();
    assert_eq!(
        units(&network),
        units(&only_a) + units(&only_b),
        "the network is the sum of its dealers"
    );

    // Staff see their own sales only, grouped however they like.
    let mine = report(
        &app,
        &staff_b,
        &format!("/api/v1/reports/sales?groupBy=salesperson&{year}"),
    )
    .await;
    let rows = mine["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["key"] == demo::DEMO_USER_IDS[5].to_string()),
        "{mine}"
    );
    let by_variant = report(
        &app,
        &staff_b,
        &format!("/api/v1/reports/sales?groupBy=variant&{year}"),
    )
    .await;
    assert_eq!(units(&by_variant), units(&mine));
    assert!(units(&mine) < units(&only_b));

    // Any range is exact: a ragged range by month equals the same range by day.
    let ragged = "from=2025-03-17&to=2025-11-09";
    let by_month = report(
        &app,
        &evm,
        &format!("/api/v1/reports/sales?interval=month&{ragged}"),
    )
    .await;
    let by_day = report(
        &app,
        &evm,
        &format!("/api/v1/reports/sales?interval=day&{ragged}"),
    )
    .await;
    assert_eq!(by_month["totals"], by_day["totals"]);
    let by_week = report(
        &app,
        &evm,
        &format!("/api/v1/reports/sales?interval=week&groupBy=model&{ragged}"),
    )
    .await;
    assert_eq!(by_week["totals"], by_day["totals"]);

    // Dealer-level reports: the OEM sees every dealer's targets and debt, a manager theirs.
    let targets = report(&app, &manager_a, "/api/v1/reports/targets").await;
    let items = targets["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|t| t["dealerId"] == demo::DEALER_A.to_string()));
    let all_targets = report(&app, &evm, "/api/v1/reports/targets").await;
    assert_eq!(all_targets["items"].as_array().unwrap().len(), 2);

    let dashboard = report(&app, &manager_a, "/api/v1/reports/dashboard").await;
    // Served from the short cache the second time; another scope has its own cards.
    let again = report(&app, &manager_a, "/api/v1/reports/dashboard").await;
    assert_eq!(again, dashboard);
    let other = report(&app, &manager_b, "/api/v1/reports/dashboard").await;
    assert_ne!(other["asOf"], serde_json::Value::Null);
    let keys: Vec<&str> = dashboard["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"unitsSold") && keys.contains(&"dealerDebtOverdue"),
        "{keys:?}"
    );
    let staff_dashboard = report(&app, &staff_b, "/api/v1/reports/dashboard").await;
    let staff_keys: Vec<&str> = staff_dashboard["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert!(!staff_keys.contains(&"dealerDebtOverdue") && !staff_keys.contains(&"stockOnHand"));
}
