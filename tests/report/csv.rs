//! Table reports as CSV: parsed by Python's `csv` module, a header row, money with its
//! currency, and a formula in a cell neutralised.

use super::{eventually, queued_facts};
use crate::common::{connect, spawn_seeded_app, EVM};
use contracts::{events::dealer as dealer_events, seed as demo, Money};
use std::io::Write;
use uuid::Uuid;

/// Rows of a CSV document as Python's `csv` module reads them (None without python3).
fn python_rows(document: &str) -> Option<Vec<Vec<String>>> {
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(sys.stdin.buffer.read().decode('utf-8').splitlines(True), strict=True))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(document.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(
        out.status.success(),
        "python's csv module refused the document"
    );
    serde_json::from_slice(&out.stdout).ok()
}

#[tokio::test]
async fn csv_reports_parse_and_neutralise_formulas() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    // A sale whose region a hostile dealer profile named like a spreadsheet formula.
    let db = connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    let sale = dealer_events::VehicleDelivered {
        order_id: Uuid::now_v7(),
        order_number: "SO-CSV".into(),
        dealer_id: demo::DEALER_A,
        branch_id: None,
        customer_id: demo::DEMO_CUSTOMERS[0].id,
        staff_id: demo::DEMO_USER_IDS[3],
        vin: String::new(),
        variant_id: demo::VARIANT_PULSE_CITY,
        colour_id: demo::COLOUR_PULSE_WHITE,
        total: Money(1_000_000),
        delivered_at: chrono::Utc::now(),
        region: "=cmd|' /C calc'!A0".into(),
        model_id: None,
        list_price: Money(1_000_000),
        discount: Money(0),
        tax: Money(90_909),
        cost: Money(800_000),
        promotions: vec![],
        received_at: None,
    };
    kernel::events::publish(&mut txn, &sale).await.unwrap();
    txn.commit().await.unwrap();
    let day = chrono::Utc::now().date_naive();
    let path = format!("/api/v1/reports/sales?groupBy=region&interval=day&from={day}&to={day}");
    eventually("the sale in the report", || async {
        let r: serde_json::Value = app.get_as(&evm, &path).await.json().await.ok()?;
        (r["totals"]["units"] == 1 && queued_facts(&app).await == 0).then_some(())
    })
    .await;

    for (url, accept) in [
        (format!("{path}&format=csv"), "*/*"),
        (path.clone(), "text/csv"),
    ] {
        let response = app
            .client
            .get(app.url(&url))
            .bearer_auth(&evm)
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let body = response.text().await.unwrap();
        assert!(body.ends_with("\r\n"));
        let Some(rows) = python_rows(&body) else {
            assert!(
                std::env::var("EVDMS_TEST_REQUIRE_SERVICES").is_err(),
                "python3 is needed to check CSV"
            );
            return;
        };
        assert_eq!(
            rows[0],
            [
                "period", "key", "label", "units", "revenue", "discount", "cost", "margin",
                "currency"
            ]
        );
        assert_eq!(rows.len(), 2, "{rows:?}");
        let row = &rows[1];
        assert_eq!(row[1], "'=cmd|' /C calc'!A0", "the formula is neutralised");
        assert_eq!(row[3], "1");
        assert_eq!(row[4], "1000000");
        assert_eq!(row[7], (1_000_000 - 90_909 - 800_000).to_string());
        assert_eq!(row[8], "USD");
    }
    for report in [
        "inventory",
        "funnel",
        "promotions",
        "orders",
        "debts/customers",
        "debts/dealers",
        "targets",
    ] {
        let response = app
            .get_as(&evm, &format!("/api/v1/reports/{report}?format=csv"))
            .await;
        assert_eq!(response.status(), 200, "{report}");
        let body = response.text().await.unwrap();
        if let Some(rows) = python_rows(&body) {
            assert!(!rows.is_empty(), "{report} has a header row");
            let width = rows[0].len();
            assert!(
                rows.iter().all(|r| r.len() == width),
                "{report}: ragged rows"
            );
        }
    }
}
