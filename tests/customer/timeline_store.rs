//! One contract suite for every timeline store: SQL on the test database (SQLite or Postgres),
//! MongoDB when `EVDMS_TEST_MONGO_URL` is set.

use crate::common::{connect, spawn_app};
use customer::store::timeline::{contract, mongo::MongoTimeline, sql::SqlTimeline};

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
    let store = MongoTimeline::connect(&url, Some(&name)).await.unwrap();
    let outcome = contract::run(&store, &db).await;
    store.database().drop().await.unwrap();
    outcome.unwrap();
}
