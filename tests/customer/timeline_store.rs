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
