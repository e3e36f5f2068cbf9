//! One contract suite for every report store: SQL on the test database (SQLite, or Postgres
//! with EVDMS_TEST_DATABASE_URL), MongoDB when EVDMS_TEST_MONGO_URL is set.

use kernel::testing::TestDatabase;
use report::store::{contract, mongo::MongoReports, sql::SqlReports};

#[tokio::test]
async fn the_sql_report_store_passes_the_contract() {
    let database = TestDatabase::create().await;
    let db = crate::common::connect(&database).await;
    kernel::migrate::up(&db, &migration::report::MIGRATIONS, None)
        .await
        .unwrap();
    contract::run(&SqlReports::new(db)).await.unwrap();
}

#[tokio::test]
async fn the_mongodb_report_store_passes_the_contract() {
    let Some(url) = kernel::testing::service_url("EVDMS_TEST_MONGO_URL") else {
        eprintln!(
            "skipped: EVDMS_TEST_MONGO_URL not set (the MongoDB report store is not tested here)"
        );
        return;
    };
    let name = format!("evdms_t_{}", uuid::Uuid::now_v7().simple());
    let store = MongoReports::connect(&url, Some(&name)).await.unwrap();
    let outcome = contract::run(&store).await;
    store.database().drop().await.unwrap();
    outcome.unwrap();
}

#[tokio::test]
async fn a_mongodb_outage_fails_fast_and_keeps_the_facts_queued() {
    let database = TestDatabase::create().await;
    let db = crate::common::connect(&database).await;
    kernel::migrate::up(&db, &migration::report::MIGRATIONS, None)
        .await
        .unwrap();
    let facts = contract::fixture::facts();
    let txn = db.begin().await.unwrap();
    report::store::queue::enqueue(&txn, &facts[..5])
        .await
        .unwrap();
    txn.commit().await.unwrap();

    // Nothing listens there: opening does not wait, applying gives up within the timeout.
    let store = MongoReports::open("mongodb://127.0.0.1:1", None)
        .await
        .unwrap();
    let projector = report::app::projector::Projector {
        db: db.clone(),
        store: std::sync::Arc::new(store),
        wake: std::sync::Arc::new(tokio::sync::Notify::new()),
    };
    let started = std::time::Instant::now();
    assert!(projector.run_once().await.is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(6));
    assert_eq!(report::store::queue::depth(&db).await.unwrap(), 5);

    // Other writes of the process go on meanwhile.
    let txn = db.begin().await.unwrap();
    report::store::queue::enqueue(&txn, &facts[5..6])
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(report::store::queue::depth(&db).await.unwrap(), 6);
}
