//! The dealer's use cases called directly (no HTTP) on a seeded test database, SQLite or
//! Postgres: the rules as `app/` applies them, and what they leave in the database.

use crate::common::{demo_caller, eventually, seeded_database};
use contracts::seed as demo;
use dealer::{
    app::{
        overdue, payments,
        payments::NewPayment,
        quotations,
        quotations::NewQuotation,
        sales,
        sales::{NewOrder, PaymentTerms},
        sales_orders, settlement, Services,
    },
    domain::{
        inventory::UnitStatus,
        payments::PaymentMethod,
        promotions::{PromotionAudience, PromotionKind, Targets},
        sale_contracts::ContractStatus,
        sales_orders::SalesOrderStatus,
        schedule::PaymentPlan,
    },
    store::{inventory_units, oem_promotions},
};
use kernel::{testing::TestDatabase, Caller, DomainError, ErrorCode};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use std::time::Duration;
use uuid::Uuid;

/// A migrated, seeded database of this test and the use cases over it.
async fn seeded() -> (TestDatabase, Services) {
    let (database, db) = seeded_database().await;
    (database, Services { db })
}

fn manager_a() -> Caller {
    demo_caller(2)
}

fn full_payment() -> PaymentTerms {
    PaymentTerms {
        payment_plan: PaymentPlan::Full,
        down_payment: None,
        instalments: None,
        annual_rate_bp: None,
    }
}

/// A Pulse City in white (three in stock per dealer) for a demo customer of dealer A.
fn pulse_for(customer: usize, terms: PaymentTerms) -> NewOrder {
    NewOrder {
        dealer_id: None,
        branch_id: None,
        customer_id: demo::DEMO_CUSTOMERS[customer].id,
        variant_id: demo::VARIANT_PULSE_CITY,
        colour_id: demo::COLOUR_PULSE_WHITE,
        vin: None,
        options: Vec::new(),
        manual_discount_bp: 0,
        terms,
    }
}

/// An approved order of dealer A with its contract signed; returns its id.
async fn contracted(services: &Services, customer: usize, terms: PaymentTerms) -> Uuid {
    let manager = manager_a();
    let order = sales::create(services, &manager, pulse_for(customer, terms))
        .await
        .unwrap();
    let id = order.order.id;
    settlement::draft_contract(services, &manager, id, None)
        .await
        .unwrap();
    let signed = settlement::sign(services, &manager, id).await.unwrap();
    assert_eq!(signed.order.status, SalesOrderStatus::Contracted);
    id
}

fn cash(amount: i64) -> NewPayment {
    NewPayment {
        amount,
        method: PaymentMethod::Cash,
        reference: "R-1".into(),
    }
}

async fn unit_status(services: &Services, vin: &str) -> UnitStatus {
    inventory_units::Entity::find_by_id(vin.to_owned())
        .one(services.db.conn())
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn an_order_is_cancelled_while_nothing_was_paid_and_refused_once_money_came_in() {
    let (_database, services) = seeded().await;
    let manager = manager_a();

    // Contracted and unpaid: cancelled, with its contract, and the unit back in stock.
    let unpaid = contracted(&services, 0, full_payment()).await;
    let offered = sales_orders::get(&services, &manager, unpaid)
        .await
        .unwrap();
    assert!(offered.allowed_actions.contains(&"cancel".to_owned()));
    let vin = offered.order.vin.clone().unwrap();
    let cancelled = sales_orders::cancel(&services, &manager, unpaid, "withdrew".into())
        .await
        .unwrap();
    assert_eq!(cancelled.order.status, SalesOrderStatus::Cancelled);
    assert_eq!(
        cancelled.contract.map(|c| c.status),
        Some(ContractStatus::Cancelled)
    );
    assert_eq!(unit_status(&services, &vin).await, UnitStatus::InStock);

    // Contracted with a first payment: refused, and nothing changes.
    let paid = contracted(&services, 1, full_payment()).await;
    let after_payment = payments::pay(&services, &manager, paid, cash(1_000))
        .await
        .unwrap();
    assert!(!after_payment.allowed_actions.contains(&"cancel".to_owned()));
    match sales_orders::cancel(&services, &manager, paid, "changed mind".into()).await {
        Err(DomainError::Conflict { code, .. }) => assert_eq!(code, ErrorCode::PaymentsReceived),
        other => panic!("expected payments_received, got {:?}", other.err()),
    }
    let kept = sales_orders::get(&services, &manager, paid).await.unwrap();
    assert_eq!(kept.order.status, SalesOrderStatus::Contracted);
    assert_eq!(kept.order.version, after_payment.order.version);
    let vin = kept.order.vin.unwrap();
    assert_eq!(unit_status(&services, &vin).await, UnitStatus::Reserved);
}

#[tokio::test]
async fn an_overpayment_changes_nothing_and_the_last_payment_sells_the_unit() {
    let (_database, services) = seeded().await;
    let manager = manager_a();
    let id = contracted(&services, 0, full_payment()).await;
    let order = sales_orders::get(&services, &manager, id).await.unwrap();
    let payable = order.order.payable;
    assert_eq!(order.outstanding.0, payable);

    match payments::pay(&services, &manager, id, cash(payable + 1)).await {
        Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "amount"),
        other => panic!("expected an overpayment refusal, got {:?}", other.err()),
    }
    assert!(payments::list(&services, &manager, id)
        .await
        .unwrap()
        .is_empty());

    payments::pay(&services, &manager, id, cash(payable - 10))
        .await
        .unwrap();
    let settled = payments::pay(&services, &manager, id, cash(10))
        .await
        .unwrap();
    assert_eq!(settled.order.status, SalesOrderStatus::Paid);
    assert_eq!(settled.outstanding.0, 0);
    let schedule = settled.schedule.unwrap();
    assert!(schedule.iter().all(|i| i.row.paid == i.row.amount));
    let vin = settled.order.vin.unwrap();
    assert_eq!(unit_status(&services, &vin).await, UnitStatus::Sold);
    assert_eq!(
        payments::list(&services, &manager, id).await.unwrap().len(),
        2
    );
}

fn quotation_for(customer: usize) -> NewQuotation {
    NewQuotation {
        dealer_id: None,
        branch_id: None,
        customer_id: demo::DEMO_CUSTOMERS[customer].id,
        variant_id: demo::VARIANT_AURORA_LONG_RANGE,
        colour_id: demo::COLOUR_AURORA_WHITE,
        options: Vec::new(),
        manual_discount_bp: 0,
        valid_until: None,
    }
}

#[tokio::test]
async fn an_oem_promotion_reaches_its_dealers_only_and_an_unreadable_list_fails_closed() {
    let (_database, services) = seeded().await;
    let db = services.db.conn();
    let now = chrono::Utc::now();
    let promotion_id = Uuid::now_v7();
    let for_dealer_b = oem_promotions::Model {
        promotion_id,
        name: "Northern spring offer".into(),
        applies_to: PromotionAudience::Retail,
        kind: PromotionKind::Percent,
        value: 500,
        starts_at: now - chrono::Duration::days(1),
        ends_at: now + chrono::Duration::days(1),
        variant_ids: Targets::default(),
        dealer_ids: Targets(vec![demo::DEALER_B]),
        stackable: true,
        active: true,
    };
    oem_promotions::upsert(db, for_dealer_b).await.unwrap();
    let applied = |q: &dealer::store::quotations::Model| {
        q.breakdown
            .promotions
            .iter()
            .any(|p| p.promotion_id == promotion_id)
    };
    let manager_b = demo_caller(4);
    let in_b = quotations::draft(&services, &manager_b, quotation_for(4))
        .await
        .unwrap();
    assert!(applied(&in_b), "dealer B is listed");
    let in_a = quotations::draft(&services, &manager_a(), quotation_for(0))
        .await
        .unwrap();
    assert!(!applied(&in_a), "dealer A is not");

    // A stored list that does not read as ids is an error, never "every dealer".
    oem_promotions::Entity::update_many()
        .col_expr(
            oem_promotions::Column::DealerIds,
            Expr::value(serde_json::json!("all")),
        )
        .filter(oem_promotions::Column::PromotionId.eq(promotion_id))
        .exec(db)
        .await
        .unwrap();
    let refused = quotations::draft(&services, &manager_a(), quotation_for(0)).await;
    assert!(
        matches!(refused, Err(DomainError::Internal(_))),
        "{:?}",
        refused.map(|q| q.breakdown)
    );
}

/// The outbox events of the dealer module with this name.
async fn dealer_events_named(services: &Services, name: &str) -> usize {
    let sql = "SELECT name FROM \"dealer\".\"outbox\"".to_owned();
    let rows = services
        .db
        .conn()
        .query_all(Statement::from_string(services.db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .filter(|r| r.try_get::<String>("", "name").unwrap() == name)
        .count()
}

/// Moves every instalment of the order ten days into the past.
async fn make_overdue(services: &Services, order_id: Uuid) {
    use dealer::store::instalments::{Column, Entity};
    let past = chrono::Utc::now().date_naive() - chrono::Days::new(10);
    Entity::update_many()
        .col_expr(Column::DueDate, Expr::value(past))
        .filter(Column::OrderId.eq(order_id))
        .exec(services.db.conn())
        .await
        .unwrap();
}

fn by_instalments() -> PaymentTerms {
    PaymentTerms {
        payment_plan: PaymentPlan::Instalments,
        down_payment: Some(1_000_000),
        instalments: Some(2),
        annual_rate_bp: Some(600),
    }
}

#[tokio::test]
async fn overdue_instalments_are_announced_once_and_the_sweep_stops_on_shutdown() {
    const OVERDUE: &str = "dealer.instalment_overdue.v1";
    let (_database, services) = seeded().await;
    let first = contracted(&services, 0, by_instalments()).await;
    make_overdue(&services, first).await;

    let other_dealer = overdue::announce_overdue(&services.db, Some(demo::DEALER_B)).await;
    assert_eq!(other_dealer.unwrap(), 0);
    let announced = overdue::announce_overdue(&services.db, None).await.unwrap();
    assert_eq!(announced, 3, "the down payment and both instalments");
    assert_eq!(
        overdue::announce_overdue(&services.db, None).await.unwrap(),
        0
    );
    assert_eq!(dealer_events_named(&services, OVERDUE).await, 3);

    // The background sweep finds the next one by itself, and ends when the process stops.
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let sweep = tokio::spawn(overdue::every(
        services.db.clone(),
        Duration::from_millis(50),
        shutdown,
    ));
    let second = contracted(&services, 1, by_instalments()).await;
    make_overdue(&services, second).await;
    eventually("the sweep to announce the second order", || async {
        (dealer_events_named(&services, OVERDUE).await == 6).then_some(())
    })
    .await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), sweep)
        .await
        .expect("the sweep stops on shutdown")
        .unwrap();
}
