//! The manufacturer's order, stock and invoice use cases called directly (no HTTP) on a seeded
//! test database, SQLite or Postgres: the rules as `app/` applies them, and what they leave in
//! the database.

use crate::common::{demo_caller, eventually, seeded_database as seeded};
use contracts::seed as demo;
use kernel::{Caller, Db, DomainError, ErrorCode};
use manufacturer::{
    app::{
        orders::{self, NewLine, NewOrder, OrderView},
        overdue, stock as stock_use_cases,
    },
    domain::lifecycle::{OrderStatus, StockUnitStatus},
    store::{dealer_invoices, stock},
};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use std::time::Duration;
use uuid::Uuid;

fn evm() -> Caller {
    demo_caller(1)
}

fn manager_a() -> Caller {
    demo_caller(2)
}

fn manager_b() -> Caller {
    demo_caller(4)
}

/// `quantity` Aurora Long Range in white, placed by `manager`.
async fn place(db: &Db, manager: &Caller, quantity: i32) -> OrderView {
    let order = NewOrder {
        lines: vec![NewLine {
            variant_id: demo::VARIANT_AURORA_LONG_RANGE,
            colour_id: demo::COLOUR_AURORA_WHITE,
            quantity,
        }],
        note: None,
    };
    orders::place(db, manager, order).await.unwrap()
}

/// The manufacturer's outbox events with this name that mention `id` in their payload.
async fn events_named(db: &Db, name: &str, id: Uuid) -> usize {
    let sql = "SELECT name, payload FROM \"manufacturer\".\"outbox\"".to_owned();
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .filter(|r| r.try_get::<String>("", "name").unwrap() == name)
        .filter(|r| {
            r.try_get::<String>("", "payload")
                .unwrap()
                .contains(&id.to_string())
        })
        .count()
}

#[tokio::test]
async fn an_approval_beyond_the_credit_limit_is_refused_and_changes_nothing() {
    let (_database, db) = seeded().await;
    // Dealer B's demo credit limit is 8,000,000.00; 200 Aurora Long Range are far beyond it.
    let order = place(&db, &manager_b(), 200).await;
    match orders::approve(&db, &evm(), order.order.id).await {
        Err(DomainError::Conflict { code, .. }) => {
            assert_eq!(code, ErrorCode::CreditLimitExceeded)
        }
        other => panic!("expected credit_limit_exceeded, got {:?}", other.err()),
    }
    let after = orders::get(&db, &evm(), order.order.id).await.unwrap();
    assert_eq!(after.order.status, OrderStatus::Pending);
    assert_eq!(after.order.version, order.order.version);
    assert_eq!(after.allowed_actions, ["approve", "reject", "cancel"]);
    assert_eq!(
        events_named(&db, "manufacturer.dealer_order_approved.v1", order.order.id).await,
        0
    );
    // A small order still fits, and it then commits the dealer's credit.
    let small = place(&db, &manager_b(), 1).await;
    let approved = orders::approve(&db, &evm(), small.order.id).await.unwrap();
    assert_eq!(approved.order.status, OrderStatus::Approved);
    assert_eq!(approved.order.version, small.order.version + 1);
}

#[tokio::test]
async fn an_order_is_cancelled_only_while_pending() {
    let (_database, db) = seeded().await;
    let manager = manager_a();
    let pending = place(&db, &manager, 1).await;
    let cancelled = orders::cancel(&db, &manager, pending.order.id)
        .await
        .unwrap();
    assert_eq!(cancelled.order.status, OrderStatus::Cancelled);
    assert!(cancelled.allowed_actions.is_empty());

    let order = place(&db, &manager, 1).await;
    let approved = orders::approve(&db, &evm(), order.order.id).await.unwrap();
    match orders::cancel(&db, &manager, order.order.id).await {
        Err(DomainError::IllegalTransition {
            from,
            action,
            allowed,
        }) => {
            assert_eq!((from.as_str(), action.as_str()), ("approved", "cancel"));
            assert_eq!(allowed, ["allocate"]);
        }
        other => panic!("expected illegal_transition, got {:?}", other.err()),
    }
    let kept = orders::get(&db, &manager, order.order.id).await.unwrap();
    assert_eq!(kept.order.status, OrderStatus::Approved);
    assert_eq!(kept.order.version, approved.order.version);
    // An approval and a cancellation racing: one wins, the other is a 409 and changes nothing.
    let raced = place(&db, &manager, 1).await.order.id;
    let oem = evm();
    let (approved, cancelled) = tokio::join!(
        orders::approve(&db, &oem, raced),
        orders::cancel(&db, &manager, raced)
    );
    let (winner, loser) = match (approved, cancelled) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (a, b) => panic!("expected one winner, got {:?} and {:?}", a.err(), b.err()),
    };
    assert!(
        matches!(
            &loser,
            DomainError::Conflict {
                code: ErrorCode::ConcurrentChange,
                ..
            } | DomainError::IllegalTransition { .. }
        ),
        "{loser:?}"
    );
    let settled = orders::get(&db, &manager, raced).await.unwrap();
    assert_eq!(settled.order.status, winner.order.status);
    assert_eq!(settled.order.version, 2);

    // Another dealer's manager does not even see it.
    assert!(matches!(
        orders::cancel(&db, &manager_b(), order.order.id).await,
        Err(DomainError::NotFound(_))
    ));
}

#[tokio::test]
async fn two_allocations_of_one_vin_have_one_winner() {
    let (_database, db) = seeded().await;
    let first = place(&db, &manager_a(), 1).await.order.id;
    let second = place(&db, &manager_b(), 1).await.order.id;
    for id in [first, second] {
        orders::approve(&db, &evm(), id).await.unwrap();
    }
    let filter = stock_use_cases::UnitFilter {
        status: Some(StockUnitStatus::InWarehouse),
        variant_id: Some(demo::VARIANT_AURORA_LONG_RANGE),
        colour_id: Some(demo::COLOUR_AURORA_WHITE),
        order_id: None,
    };
    let params = kernel::pagination::ListParams {
        page_size: Some(1),
        ..Default::default()
    };
    let vin = stock_use_cases::list(&db, &filter, &params)
        .await
        .unwrap()
        .items
        .remove(0)
        .unit
        .vin;
    let oem = evm();
    let (a, b) = tokio::join!(
        orders::allocate(&db, &oem, first, Some(vec![vin.clone()])),
        orders::allocate(&db, &oem, second, Some(vec![vin.clone()]))
    );
    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (a, b) => panic!("expected one winner, got {:?} and {:?}", a.err(), b.err()),
    };
    assert!(
        matches!(lost, DomainError::Conflict { .. }),
        "the loser is a 409: {lost:?}"
    );
    assert_eq!(won.order.status, OrderStatus::Allocated);
    assert_eq!(won.vins.as_deref(), Some(&[vin.clone()][..]));
    let unit = stock::find(db.conn(), &vin).await.unwrap().unwrap();
    assert_eq!(unit.status, StockUnitStatus::Allocated);
    assert_eq!(unit.order_id, Some(won.order.id));
    let loser = if won.order.id == first { second } else { first };
    let untouched = orders::get(&db, &oem, loser).await.unwrap();
    assert_eq!(untouched.order.status, OrderStatus::Approved);
    assert_eq!(untouched.vins.as_deref(), Some(&[][..]));
    let allocations = events_named(&db, "manufacturer.vehicles_allocated.v1", won.order.id).await
        + events_named(&db, "manufacturer.vehicles_allocated.v1", loser).await;
    assert_eq!(allocations, 1);
}

#[tokio::test]
async fn an_overdue_invoice_is_flagged_once_and_the_sweep_stops_on_shutdown() {
    const OVERDUE: &str = "manufacturer.invoice_overdue.v1";
    let (_database, db) = seeded().await;
    let oem = evm();
    let id = place(&db, &manager_a(), 1).await.order.id;
    orders::approve(&db, &oem, id).await.unwrap();
    orders::allocate(&db, &oem, id, None).await.unwrap();
    let shipped = orders::ship(&db, &oem, id).await.unwrap();
    let invoice = shipped
        .order
        .invoice_id
        .expect("shipping invoices the dealer");
    assert!(overdue::flag_overdue_invoices(&db)
        .await
        .unwrap()
        .is_empty());

    // Let the due date pass.
    let past = chrono::Utc::now().date_naive() - chrono::Days::new(45);
    dealer_invoices::Entity::update_many()
        .col_expr(dealer_invoices::Column::DueDate, Expr::value(past))
        .filter(dealer_invoices::Column::Id.eq(invoice))
        .exec(db.conn())
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        overdue::flag_overdue_invoices(&db),
        overdue::flag_overdue_invoices(&db)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "flagged by exactly one sweep");
    let flagged = a.into_iter().chain(b).next().unwrap();
    assert_eq!(flagged.invoice.id, invoice);
    assert!(flagged.overdue);
    assert!(overdue::flag_overdue_invoices(&db)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(events_named(&db, OVERDUE, invoice).await, 1);

    // The background sweep flags the next one by itself, and ends when the process stops.
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let sweep = tokio::spawn(overdue::every(
        db.clone(),
        Duration::from_millis(50),
        shutdown,
    ));
    let next = place(&db, &manager_a(), 1).await.order.id;
    orders::approve(&db, &oem, next).await.unwrap();
    orders::allocate(&db, &oem, next, None).await.unwrap();
    let next_invoice = orders::ship(&db, &oem, next)
        .await
        .unwrap()
        .order
        .invoice_id
        .unwrap();
    dealer_invoices::Entity::update_many()
        .col_expr(dealer_invoices::Column::DueDate, Expr::value(past))
        .filter(dealer_invoices::Column::Id.eq(next_invoice))
        .exec(db.conn())
        .await
        .unwrap();
    eventually("the sweep to flag the second invoice", || async {
        (events_named(&db, OVERDUE, next_invoice).await == 1).then_some(())
    })
    .await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), sweep)
        .await
        .expect("the sweep stops on shutdown")
        .unwrap();
    assert_eq!(events_named(&db, OVERDUE, invoice).await, 1);
}
