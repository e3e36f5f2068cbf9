//! Event pipeline under load, run alone (they stop the shared RabbitMQ or load the machine):
//!   bash bench/events.sh
//! 1. 1,000 events through outbox → RabbitMQ → notification inbox while the broker is stopped
//!    (`rabbitmqctl stop_app`) and started again: none lost, no effect twice.
//! 2. Throughput and publish-to-handle latency, in-process and through RabbitMQ.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use contracts::events::auth::UserRegistered;
use kernel::events::{outbox, publish};
use sea_orm::{ConnectionTrait, Statement};
use std::time::{Duration, Instant};

/// Publishes about `count` user registrations in transactions of `batch` from `tasks` writers;
/// returns how many exactly (a whole number of batches per writer).
async fn burst(db: &kernel::Db, count: usize, batch: usize, tasks: usize) -> usize {
    let per_task = count / tasks / batch * batch;
    let writers = (0..tasks).map(|t| {
        let db = db.clone();
        tokio::spawn(async move {
            for chunk in 0..per_task / batch {
                let mut txn = db.begin().await.unwrap();
                for i in 0..batch {
                    let n = t * per_task + chunk * batch + i;
                    let event = UserRegistered {
                        user_id: uuid::Uuid::now_v7(),
                        email: format!("load-{n}@evdms.dev"),
                        name: format!("Load {n}"),
                        role: "evm_staff".into(),
                        dealer_id: None,
                        branch_id: None,
                    };
                    publish(&mut txn, &event).await.unwrap();
                }
                txn.commit().await.unwrap();
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    per_task * tasks
}

async fn count(db: &kernel::Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

// The notification module's effect of a registration: the welcome mail's row in its ledger.
const WELCOMES: &str = "SELECT COUNT(*) AS n FROM \"notification\".\"deliveries\" WHERE event_name = 'auth.user_registered.v1' AND address LIKE 'load-%'";
const DISTINCT_WELCOMES: &str = "SELECT COUNT(DISTINCT event_id) AS n FROM \"notification\".\"deliveries\" WHERE event_name = 'auth.user_registered.v1' AND address LIKE 'load-%'";

async fn await_welcomes(db: &kernel::Db, expected: i64, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if count(db, WELCOMES).await >= expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "only {} of {expected} handled",
            count(db, WELCOMES).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn rabbitmqctl(action: &str) {
    let status = std::process::Command::new("rabbitmqctl")
        .arg(action)
        .status()
        .expect("rabbitmqctl runs");
    assert!(status.success(), "rabbitmqctl {action}");
}

#[tokio::test]
#[ignore = "stops the shared RabbitMQ; run alone with bench/events.sh"]
async fn a_broker_outage_during_a_burst_loses_nothing_and_duplicates_nothing() {
    let broker = kernel::testing::TestBroker::create().expect("EVDMS_TEST_AMQP_URL");
    let app = common::spawn_app_with(&[
        ("EVDMS__BUS__TRANSPORT", "rabbitmq"),
        ("EVDMS__BUS__AMQP_URL", broker.url.as_str()),
        ("EVDMS__BUS__BROKER_PREFIX", broker.prefix.as_str()),
        ("EVDMS__BUS__MAX_ATTEMPTS", "8"),
    ])
    .await;
    let db = common::connect(&app.database).await;
    let started = Instant::now();
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            // 1,000 events over about four seconds.
            for _ in 0..20 {
                burst(&db, 50, 10, 1).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let before_stop = count(&db, WELCOMES).await;
    rabbitmqctl("stop_app");
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    rabbitmqctl("start_app");
    let outage = stopped_at.elapsed();
    writer.await.unwrap();
    let published_in = started.elapsed();
    let drained = await_welcomes(&db, 1000, Duration::from_secs(180)).await;
    tokio::time::sleep(Duration::from_secs(2)).await; // would-be duplicates would land now

    let handled = count(&db, WELCOMES).await;
    let distinct = count(&db, DISTINCT_WELCOMES).await;
    let stats = outbox::stats(db.conn(), "auth").await.unwrap();
    println!(
        "outage test: 1000 events published in {published_in:?}; {before_stop} handled before the broker stopped; \
         broker down for {outage:?}; all handled {drained:?} after the burst ended ({:?} in total); \
         {handled} effects, {distinct} distinct; outbox pending {}, dead {}",
        started.elapsed(),
        stats.pending,
        stats.dead
    );
    assert_eq!(handled, 1000, "every event has its effect");
    assert_eq!(distinct, 1000, "no effect twice");
    assert_eq!((stats.pending, stats.dead), (0, 0));
    app.stop().await;
}

/// Publish-to-handle latencies (ms) of the load events handled so far, sorted.
async fn latencies(db: &kernel::Db) -> Vec<i64> {
    // Outbox commit time → the handler's committed effect.
    let sql = "SELECT o.occurred_at AS published, n.created_at AS handled FROM \"notification\".\"deliveries\" n \
               JOIN \"auth\".\"outbox\" o ON o.id = n.event_id WHERE n.address LIKE 'load-%'";
    let rows = db
        .conn()
        .query_all(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap();
    let mut latencies: Vec<i64> = rows
        .iter()
        .map(|r| {
            let published: i64 = r.try_get("", "published").unwrap();
            let handled: chrono::DateTime<chrono::Utc> = r.try_get("", "handled").unwrap();
            handled.timestamp_millis() - published
        })
        .collect();
    latencies.sort_unstable();
    latencies
}

fn quantile(sorted: &[i64], q: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * q) as usize]
}

async fn measure(app: TestApp, label: &str, events: usize) {
    let db = common::connect(&app.database).await;
    // Unloaded: one event every 20 ms.
    for _ in 0..200 {
        burst(&db, 1, 1, 1).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    await_welcomes(&db, 200, Duration::from_secs(60)).await;
    let calm = latencies(&db).await;
    println!(
        "{label}: unloaded (50 events/s) publish-to-handle latency p50 {} ms, p99 {} ms",
        quantile(&calm, 0.5),
        quantile(&calm, 0.99)
    );
    let sql = "DELETE FROM \"notification\".\"deliveries\" WHERE address LIKE 'load-%'";
    db.conn()
        .execute(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap();
    let started = Instant::now();
    let events = burst(&db, events, 20, 4).await;
    let published = started.elapsed();
    await_welcomes(&db, events as i64, Duration::from_secs(300)).await;
    let total = started.elapsed();
    let latencies = latencies(&db).await;
    let at = |q: f64| quantile(&latencies, q);
    println!(
        "{label}: {events} events, published in {published:?}, all handled after {total:?} = {:.0} events/s; \
         publish-to-handle latency p50 {} ms, p99 {} ms, max {} ms",
        events as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    app.stop().await;
}

#[tokio::test]
#[ignore = "a benchmark; run alone with bench/events.sh"]
async fn event_throughput_and_latency_in_process() {
    let app = common::spawn_app_with(&[("EVDMS__BUS__TRANSPORT", "in-process")]).await;
    measure(app, "in-process", 5000).await;
}

#[tokio::test]
#[ignore = "a benchmark; run alone with bench/events.sh"]
async fn event_throughput_and_latency_through_rabbitmq() {
    let broker = kernel::testing::TestBroker::create().expect("EVDMS_TEST_AMQP_URL");
    let app = common::spawn_app_with(&[
        ("EVDMS__BUS__TRANSPORT", "rabbitmq"),
        ("EVDMS__BUS__AMQP_URL", broker.url.as_str()),
        ("EVDMS__BUS__BROKER_PREFIX", broker.prefix.as_str()),
    ])
    .await;
    measure(app, "rabbitmq", 5000).await;
}
