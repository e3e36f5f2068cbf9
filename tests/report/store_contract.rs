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
