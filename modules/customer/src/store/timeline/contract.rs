//! The behaviour every [`TimelineStore`] must have. Run by the integration tests against the
//! SQL store (SQLite and Postgres) and, when `EVDMS_TEST_MONGO_URL` is set, against MongoDB.

use super::{TimelineEntry, TimelineStore};
use anyhow::ensure;
use chrono::{DateTime, Duration};
use kernel::Db;
use uuid::Uuid;

async fn append(store: &dyn TimelineStore, db: &Db, entry: &TimelineEntry) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    store.append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Copies what a store staged to where it lists from (what its forwarding job does).
async fn forward(store: &dyn TimelineStore) -> anyhow::Result<()> {
    while store.forward().await? > 0 {}
    Ok(())
}

fn entry(customer_id: Uuid, dealer_id: Uuid, kind: &str, second: i64) -> TimelineEntry {
    TimelineEntry {
        id: Uuid::now_v7(),
        customer_id,
        dealer_id,
        kind: kind.to_owned(),
        summary: format!("{kind} at {second}"),
        details: serde_json::json!({ "second": second }),
        // Whole milliseconds: what every store keeps.
        occurred_at: DateTime::from_timestamp_millis(1_780_000_000_000).unwrap_or_default()
            + Duration::seconds(second),
    }
}

/// Runs the suite; `db` provides the transactions the store is handed.
pub async fn run(store: &dyn TimelineStore, db: &Db) -> anyhow::Result<()> {
    let (customer, other, dealer) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let first = entry(customer, dealer, "lead_created", 1);
    let mut second = entry(customer, dealer, "test_drive_scheduled", 2);
    second.details = serde_json::json!({
        "amount": 12_345_678_901_i64,
        "vin": "5YJ3E1EA7KF317000",
        "lines": [{ "qty": 2, "ok": true }, null],
        "nested": { "stage": "qualified", "note": null },
    });
    let third = entry(customer, dealer, "payment_received", 3);
    let elsewhere = entry(other, dealer, "lead_created", 1);
    for e in [&first, &second, &third, &elsewhere] {
        append(store, db, e).await?;
    }

    // Recording the same entry again (a redelivered event) changes nothing, whether the first
    // is still staged or already forwarded.
    forward(store).await?;
    let mut again = second.clone();
    again.summary = "a second delivery".into();
    append(store, db, &again).await?;
    forward(store).await?;

    let page = store.list(customer, 1, 2).await?;
    ensure!(page.total == 3, "total {} instead of 3", page.total);
    ensure!(
        page.items == vec![third.clone(), second.clone()],
        "first page is not newest first or lost details: {:?}",
        page.items
    );
    let page = store.list(customer, 2, 2).await?;
    ensure!(
        page.items == vec![first.clone()],
        "second page: {:?}",
        page.items
    );
    let page = store.list(customer, 3, 2).await?;
    ensure!(
        page.items.is_empty() && page.total == 3,
        "past the end: {page:?}"
    );

    let page = store.list(other, 1, 10).await?;
    ensure!(
        page.total == 1 && page.items == vec![elsewhere],
        "another customer's: {page:?}"
    );
    let page = store.list(Uuid::now_v7(), 1, 10).await?;
    ensure!(
        page.total == 0 && page.items.is_empty(),
        "unknown customer: {page:?}"
    );

    // A rolled-back transaction loses its staged entry with it; a later append is harmless.
    let ghost = entry(customer, dealer, "lead_created", 9);
    let txn = db.begin().await?;
    store.append(&txn, &ghost).await?;
    drop(txn); // rolled back
    forward(store).await?;
    ensure!(
        store.list(customer, 1, 10).await?.total == 3,
        "an append of a rolled-back transaction was kept"
    );
    append(store, db, &first).await?;
    forward(store).await?;
    ensure!(
        store.list(customer, 1, 10).await?.total == 3,
        "a repeated append added a row"
    );
    Ok(())
}
