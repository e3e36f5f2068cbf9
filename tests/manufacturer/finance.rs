use super::{act, place_order};
use crate::common::{connect, problem, spawn_seeded_app, EVM, MANAGER_A, MANAGER_B};
use serde_json::{json, Value};

async fn shipped_invoice(app: &crate::common::TestApp) -> Value {
    let manager = app.token(MANAGER_A).await;
    let evm = app.token(EVM).await;
    let order = place_order(app, &manager, 1).await;
    for action in ["approve", "allocate", "ship"] {
        assert_eq!(
            act(app, &evm, &order, action, json!({})).await.status(),
            200
        );
    }
    let order: Value = app
        .get_as(
            &evm,
            &format!("/api/v1/dealer-orders/{}", order["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    app.get_as(
        &evm,
        &format!(
            "/api/v1/dealer-invoices/{}",
            order["invoiceId"].as_str().unwrap()
        ),
    )
    .await
    .json()
    .await
    .unwrap()
}

#[tokio::test]
async fn dealer_payments_are_confirmed_by_the_oem_and_settle_the_invoice() {
    let app = spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let other = app.token(MANAGER_B).await;
    let evm = app.token(EVM).await;
    let invoice = shipped_invoice(&app).await;
    let amount = invoice["amount"].as_i64().unwrap();
    let invoice_id = invoice["id"].as_str().unwrap();

    problem(app.post_as(&other, "/api/v1/dealer-payments", &json!({ "invoiceId": invoice_id, "amount": 1, "method": "transfer", "reference": "x" })).await, 404).await;
    problem(app.post_as(&manager, "/api/v1/dealer-payments", &json!({ "invoiceId": invoice_id, "amount": amount + 1, "method": "transfer", "reference": "x" })).await, 422).await;
    let part = app.post_as(&manager, "/api/v1/dealer-payments", &json!({ "invoiceId": invoice_id, "amount": 1_000_000, "method": "transfer", "reference": "UNC-1" })).await;
    assert_eq!(part.status(), 201);
    let part: Value = part.json().await.unwrap();
    assert_eq!(part["status"], "pending");
    let unchanged: Value = app
        .get_as(&manager, &format!("/api/v1/dealer-invoices/{invoice_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["paid"], 0);
    let confirmed = app
        .post_as(
            &evm,
            &format!(
                "/api/v1/dealer-payments/{}/confirm",
                part["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    problem(
        app.post_as(
            &evm,
            &format!(
                "/api/v1/dealer-payments/{}/confirm",
                part["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    let partial: Value = app
        .get_as(&manager, &format!("/api/v1/dealer-invoices/{invoice_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(partial["status"], "partially_paid");
    assert_eq!(partial["outstanding"], amount - 1_000_000);

    let aging: Value = app
        .get_as(&manager, "/api/v1/dealer-invoices/aging")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(aging[0]["aging"]["current"], amount - 1_000_000);
    let rest = app.post_as(&evm, "/api/v1/dealer-payments", &json!({ "invoiceId": invoice_id, "amount": amount - 1_000_000, "method": "transfer", "reference": "UNC-2" })).await;
    assert_eq!(rest.status(), 201);
    let paid: Value = app
        .get_as(&manager, &format!("/api/v1/dealer-invoices/{invoice_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "paid");
}

#[tokio::test]
async fn an_overdue_invoice_is_flagged_once() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let invoice = shipped_invoice(&app).await;
    let id = invoice["id"].as_str().unwrap();
    // Nothing is overdue yet.
    let none: Value = app
        .post_as(&evm, "/api/v1/dealer-invoices/overdue-check", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["flagged"], json!([]));
    // Let the due date pass.
    let db = connect(&app.database).await;
    let due = (chrono::Utc::now().date_naive() - chrono::Days::new(45)).to_string();
    use sea_orm::{ConnectionTrait, Statement};
    db.conn()
        .execute(Statement::from_sql_and_values(
            db.backend(),
            if db.is_sqlite() {
                "UPDATE manufacturer.dealer_invoices SET due_date = ? WHERE id = ?"
            } else {
                "UPDATE manufacturer.dealer_invoices SET due_date = $1::date WHERE id = $2"
            },
            [due.into(), uuid::Uuid::parse_str(id).unwrap().into()],
        ))
        .await
        .unwrap();
    let empty = json!({});
    let (first, second) = tokio::join!(
        app.post_as(&evm, "/api/v1/dealer-invoices/overdue-check", &empty),
        app.post_as(&evm, "/api/v1/dealer-invoices/overdue-check", &empty)
    );
    let first: Value = first.json().await.unwrap();
    let second: Value = second.json().await.unwrap();
    let flagged =
        first["flagged"].as_array().unwrap().len() + second["flagged"].as_array().unwrap().len();
    assert_eq!(flagged, 1);
    let events = super::events_about(&app, id).await;
    assert_eq!(
        events,
        [
            "manufacturer.dealer_order_shipped.v1",
            "manufacturer.invoice_overdue.v1"
        ]
    );
    let aging: Value = app
        .get_as(
            &evm,
            &format!(
                "/api/v1/dealer-invoices/aging?dealerId={}",
                contracts::seed::DEALER_A
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(aging[0]["aging"]["days31To60"], invoice["amount"]);
}
