//! The manufacturer's catalog use cases called directly (no HTTP) on a seeded test database,
//! SQLite or Postgres: model lifecycle, price changes and promotion reach as `app/` applies
//! them, and what they leave in the database and the outbox.

use crate::common::{demo_caller, seeded_database as seeded};
use contracts::seed as demo;
use kernel::{pagination::ListParams, Caller, Db, DomainError};
use manufacturer::{
    app::{
        catalog::{self, CreateModel},
        pricing, promotions,
        promotions::PromotionInput,
        variants::{self, ChangePrices, CreateVariant},
    },
    domain::{
        catalog::{ModelAction, ModelStatus},
        promotions::{PromotionAudience, PromotionKind},
    },
    store::{promotions::oem_promotions, promotions::PromotionFilter},
};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::Value;
use uuid::Uuid;

fn evm() -> Caller {
    demo_caller(1)
}

fn manager(index: usize, dealer: Uuid) -> Caller {
    let manager = demo_caller(index);
    assert_eq!(manager.dealer_id, Some(dealer), "demo account {index}");
    manager
}

/// The manufacturer's outbox events with this name, payloads oldest first.
async fn events_named(db: &Db, name: &str) -> Vec<Value> {
    let sql = "SELECT name, payload FROM \"manufacturer\".\"outbox\" ORDER BY seq".to_owned();
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .filter(|r| r.try_get::<String>("", "name").unwrap() == name)
        .map(|r| serde_json::from_str(&r.try_get::<String>("", "payload").unwrap()).unwrap())
        .collect()
}

async fn published_about(db: &Db, variant: Uuid) -> Vec<Value> {
    events_named(db, "manufacturer.variant_published.v1")
        .await
        .into_iter()
        .filter(|p| p["variantId"] == variant.to_string())
        .collect()
}

fn refused_with(result: Result<impl std::fmt::Debug, DomainError>, allowed: &[&str]) {
    match result {
        Err(DomainError::IllegalTransition { allowed: got, .. }) => assert_eq!(got, allowed),
        other => panic!("expected an illegal transition, got {other:?}"),
    }
}

#[tokio::test]
async fn a_model_is_published_discontinued_and_published_again_and_its_variants_follow() {
    let (_database, db) = seeded().await;
    let evm = evm();
    let dealer = manager(2, demo::DEALER_A);
    let model = catalog::create_model(
        &db,
        CreateModel {
            manufacturer_id: demo::MANUFACTURER,
            name: "Nova".into(),
            segment: "SUV".into(),
            model_year: 2027,
            description: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (model.status, model.segment.as_str()),
        (ModelStatus::Draft, "suv")
    );
    let variant = variants::create(
        &db,
        &evm,
        CreateVariant {
            model_id: model.id,
            name: "Nova AWD".into(),
            status: None,
            battery_kwh: 95.5,
            range_km: 610,
            motor_kw: 360,
            zero_to_100_s: 4.4,
            seats: 5,
            drive: "awd".into(),
            charging_kw: 270,
            specs: None,
            msrp: 6_500_000,
            wholesale_price: 5_900_000,
        },
    )
    .await
    .unwrap();
    // A draft is the OEM's alone: dealers do not see it and no event leaves the module.
    assert!(matches!(
        catalog::get_model(&db, &dealer, model.id).await,
        Err(DomainError::NotFound("model"))
    ));
    assert!(matches!(
        variants::get(&db, &dealer, variant.id).await,
        Err(DomainError::NotFound("variant"))
    ));
    assert!(published_about(&db, variant.id).await.is_empty());
    refused_with(
        catalog::change_status(&db, &evm, model.id, ModelAction::Discontinue).await,
        &["publish"],
    );

    let published = catalog::change_status(&db, &evm, model.id, ModelAction::Publish)
        .await
        .unwrap();
    assert_eq!(published.status, ModelStatus::Published);
    assert_eq!(published.version, model.version + 1);
    let (seen, _) = variants::get(&db, &dealer, variant.id).await.unwrap();
    assert_eq!(seen.model_status, ModelStatus::Published);
    let events = published_about(&db, variant.id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["modelStatus"], "published");
    refused_with(
        catalog::change_status(&db, &evm, model.id, ModelAction::Publish).await,
        &["discontinue"],
    );

    let discontinued = catalog::change_status(&db, &evm, model.id, ModelAction::Discontinue)
        .await
        .unwrap();
    assert_eq!(discontinued.status, ModelStatus::Discontinued);
    assert!(catalog::get_model(&db, &dealer, model.id).await.is_err());
    let (copy, _) = variants::get(&db, &evm, variant.id).await.unwrap();
    assert_eq!(copy.model_status, ModelStatus::Discontinued);
    let events = published_about(&db, variant.id).await;
    assert_eq!(events.len(), 2, "other modules learn it left the market");
    assert_eq!(events[1]["modelStatus"], "discontinued");

    let back = catalog::change_status(&db, &evm, model.id, ModelAction::Publish)
        .await
        .unwrap();
    assert_eq!(back.status, ModelStatus::Published);
    assert!(catalog::get_model(&db, &dealer, model.id).await.is_ok());
}

#[tokio::test]
async fn a_price_change_is_kept_in_the_history_and_announced() {
    let (_database, db) = seeded().await;
    let evm = evm();
    let id = demo::VARIANT_PULSE_CITY;
    let (before, _) = variants::get(&db, &evm, id).await.unwrap();
    let prices = |msrp: i64, wholesale_price: i64, version: i32| ChangePrices {
        msrp,
        wholesale_price,
        version,
    };

    match variants::change_prices(&db, &evm, id, prices(100, 200, before.version)).await {
        Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "wholesalePrice"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(matches!(
        variants::change_prices(&db, &evm, id, prices(2_999_000, 2_700_000, 99)).await,
        Err(DomainError::Conflict { .. })
    ));

    let changed =
        variants::change_prices(&db, &evm, id, prices(2_999_000, 2_700_000, before.version))
            .await
            .unwrap();
    assert_eq!(
        (changed.msrp, changed.wholesale_price),
        (2_999_000, 2_700_000)
    );
    assert_eq!(changed.version, before.version + 1);
    let history = variants::price_history(&db, &evm, id, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(history.total, 2);
    assert_eq!(history.items[0].msrp, 2_999_000);
    assert_eq!(history.items[0].changed_by, Some(evm.subject));
    assert_eq!(history.items[1].msrp, before.msrp);
    let events = events_named(&db, "manufacturer.price_changed.v1").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["variantId"], id.to_string());
    assert_eq!(events[0]["msrp"], 2_999_000);
    assert_eq!(events[0]["previousMsrp"], before.msrp);

    // The version read is gone now: a second change based on it is refused.
    assert!(matches!(
        variants::change_prices(&db, &evm, id, prices(3_100_000, 2_800_000, before.version)).await,
        Err(DomainError::Conflict { .. })
    ));
}

#[tokio::test]
async fn a_promotion_reaches_its_listed_dealers_only_and_an_unreadable_list_fails_closed() {
    let (_database, db) = seeded().await;
    let now = chrono::Utc::now();
    let promotion = promotions::create(
        &db,
        PromotionInput {
            name: "Northern clearance".into(),
            applies_to: PromotionAudience::Wholesale,
            kind: PromotionKind::Percent,
            value: 900,
            starts_at: now - chrono::Duration::hours(1),
            ends_at: now + chrono::Duration::days(5),
            variant_ids: vec![demo::VARIANT_PULSE_PLUS],
            dealer_ids: vec![demo::DEALER_B],
            stackable: false,
            version: None,
            active: None,
        },
    )
    .await
    .unwrap();
    let changed = events_named(&db, "manufacturer.promotion_changed.v1").await;
    let announced = changed
        .iter()
        .find(|p| p["promotionId"] == promotion.id.to_string())
        .expect("promotion_changed");
    assert_eq!(announced["dealerIds"], serde_json::json!([demo::DEALER_B]));

    let quoted_with_it = |dealer: Uuid| {
        let db = db.clone();
        async move {
            pricing::quote_for(
                db.conn(),
                dealer,
                demo::VARIANT_PULSE_PLUS,
                demo::COLOUR_PULSE_YELLOW,
                1,
                "",
            )
            .await
            .map(|q| q.lines.iter().any(|l| l.promotion_id == Some(promotion.id)))
        }
    };
    assert!(
        quoted_with_it(demo::DEALER_B).await.unwrap(),
        "dealer B is listed"
    );
    assert!(
        !quoted_with_it(demo::DEALER_A).await.unwrap(),
        "dealer A is not"
    );
    let listed = |caller: Caller| {
        let db = db.clone();
        async move {
            promotions::list(
                &db,
                &caller,
                &PromotionFilter::default(),
                &ListParams::default(),
            )
            .await
            .map(|page| page.items.iter().any(|p| p.id == promotion.id))
        }
    };
    assert!(listed(manager(4, demo::DEALER_B)).await.unwrap());
    assert!(
        !listed(manager(2, demo::DEALER_A)).await.unwrap(),
        "private to dealer B"
    );
    assert!(listed(evm()).await.unwrap());

    // A stored list that does not read as ids is an error, never "every dealer".
    oem_promotions::Entity::update_many()
        .col_expr(
            oem_promotions::Column::DealerIds,
            Expr::value(serde_json::json!("all")),
        )
        .filter(oem_promotions::Column::Id.eq(promotion.id))
        .exec(db.conn())
        .await
        .unwrap();
    let refused = quoted_with_it(demo::DEALER_A).await;
    assert!(
        matches!(refused, Err(DomainError::Internal(_))),
        "{refused:?}"
    );
    assert!(matches!(
        listed(manager(2, demo::DEALER_A)).await,
        Err(DomainError::Internal(_))
    ));
}
