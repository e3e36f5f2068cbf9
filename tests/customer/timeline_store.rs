//! One contract suite for every timeline store: SQL on the test database (SQLite or Postgres),
//! MongoDB when `EVDMS_TEST_MONGO_URL` is set.

use crate::common::{connect, spawn_app};
use customer::store::timeline::{
    contract, mongo::MongoTimeline, sql, sql::SqlTimeline, TimelineEntry, TimelineStore,
};
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_sql_timeline_store_passes_the_contract() {
    let app = spawn_app().await; // migrates the test database
    let db = connect(&app.database).await;
    contract::run(&SqlTimeline::new(db.clone()), &db)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_mongodb_timeline_store_passes_the_contract() {
    let Some(url) = kernel::testing::service_url("EVDMS_TEST_MONGO_URL") else {
        eprintln!("EVDMS_TEST_MONGO_URL is not set: the MongoDB timeline store is not tested here");
        return;
    };
    let app = spawn_app().await;
    let db = connect(&app.database).await;
    let name = format!("evdms_t_{}", uuid::Uuid::now_v7().simple());
    let store = MongoTimeline::connect(&url, Some(&name), db.clone(), Duration::from_secs(2))
        .await
        .unwrap();
    let outcome = contract::run(&store, &db).await;
    store.database().drop().await.unwrap();
    outcome.unwrap();
}

/// With MongoDB away, an append (inside the inbox transaction, which on SQLite holds the write
/// lock) does not wait on the driver: the entry is staged and committed at once; the copy
/// fails fast and leaves it staged for the next round.
#[tokio::test]
async fn a_mongodb_outage_never_holds_a_database_transaction() {
    let app = spawn_app().await;
    let db = connect(&app.database).await;
    let store = MongoTimeline::open(
        "mongodb://127.0.0.1:1",
        Some("evdms_absent"),
        db.clone(),
        Duration::from_millis(300),
    )
    .await
    .unwrap();
    let entry = TimelineEntry {
        id: uuid::Uuid::now_v7(),
        customer_id: uuid::Uuid::now_v7(),
        dealer_id: uuid::Uuid::now_v7(),
        kind: "lead_created".into(),
        summary: "staged".into(),
        details: serde_json::json!({}),
        occurred_at: chrono::Utc::now(),
    };
    let started = Instant::now();
    let txn = db.begin().await.unwrap();
    store.append(&txn, &entry).await.unwrap();
    txn.commit().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "the append waited {:?}",
        started.elapsed()
    );
    // Another writer is not blocked by the outage either.
    let started = Instant::now();
    let txn = db.begin().await.unwrap();
    txn.commit().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(250));

    let started = Instant::now();
    assert!(store.forward().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(3));
    let staged = sql::oldest(db.conn(), 10).await.unwrap();
    assert_eq!(staged.iter().map(|e| e.id).collect::<Vec<_>>(), [entry.id]);
}

/// End to end with MongoDB: a lead's event is staged in its inbox transaction, copied to
/// MongoDB after the commit, and read back from there; nothing stays staged.
#[tokio::test]
async fn events_reach_the_mongodb_timeline_after_their_commit() {
    let Some(base) = kernel::testing::service_url("EVDMS_TEST_MONGO_URL") else {
        eprintln!("EVDMS_TEST_MONGO_URL is not set: the MongoDB timeline is not tested here");
        return;
    };
    let name = format!("evdms_t_{}", uuid::Uuid::now_v7().simple());
    let mut url = url::Url::parse(&base).unwrap();
    url.set_path(&format!("/{name}"));
    let app =
        crate::common::spawn_seeded_app_with(&[("EVDMS__ANALYTICS__MONGO_URL", url.as_str())])
            .await;
    let staff = app.token(crate::common::STAFF_A).await;
    let customer = crate::create_customer(
        &app,
        &staff,
        "Mongo Timeline",
        "+84 90 777 0001",
        "mt@example.com",
    )
    .await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let lead = app
        .post_as(
            &staff,
            "/api/v1/leads",
            &serde_json::json!({ "customerId": id, "source": "web", "variantId": contracts::seed::VARIANT_TERRA_MAX }),
        )
        .await;
    assert_eq!(lead.status(), 201);
    let path = format!("/api/v1/customers/{id}/timeline");
    crate::common::eventually("the lead on the MongoDB timeline", || async {
        let page: serde_json::Value = app.get_as(&staff, &path).await.json().await.ok()?;
        (page["items"][0]["kind"] == "lead_created").then_some(())
    })
    .await;
    let db = connect(&app.database).await;
    crate::common::eventually("the staging table emptied", || async {
        sql::oldest(db.conn(), 10)
            .await
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    let entries = mongodb::Client::with_uri_str(&base)
        .await
        .unwrap()
        .database(&name);
    let stored = entries
        .collection::<mongodb::bson::Document>("customer_timeline")
        .count_documents(mongodb::bson::doc! { "customerId": &id })
        .await
        .unwrap();
    entries.drop().await.unwrap();
    assert!(stored >= 1);
}
