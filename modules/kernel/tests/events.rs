//! The outbox → relay → inbox pipeline against a real database: SQLite by default, a fresh
//! Postgres database when EVDMS_TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kernel::{
    db::Db,
    events::{outbox, publish_envelope, EventEnvelope, EventHandler, Relay, Transport},
};
use sea_orm::{ConnectionTrait, Statement};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use support::*;
use uuid::Uuid;

#[tokio::test]
async fn an_event_in_a_rolled_back_transaction_is_never_delivered() {
    let h = harness().await;
    let recorder: Arc<dyn EventHandler> = Recorder::new("consumer.recorder");
    let relay = relay(&h.db, in_process(&h.db, &[recorder]));

    let mut txn = h.db.begin().await.unwrap();
    publish_envelope(&mut txn, PRODUCER, &envelope("order-1"))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    {
        let mut dropped = h.db.begin().await.unwrap();
        publish_envelope(&mut dropped, PRODUCER, &envelope("order-2"))
            .await
            .unwrap();
        // dropped without commit
    }

    drain(&h.db, &relay).await;
    assert_eq!(relay.run_once().await.unwrap(), 0);
    assert!(effects(&h.db).await.is_empty());
    let stats = outbox::stats(h.db.conn(), PRODUCER).await.unwrap();
    assert_eq!((stats.pending, stats.dead), (0, 0));
}

#[tokio::test]
async fn an_event_committed_before_a_crash_is_delivered_after_restart_exactly_once_per_handler() {
    let h = harness().await;
    // Committed while no relay runs (the process died before relaying).
    let first = publish(&h.db, "order-1").await;
    let second = publish(&h.db, "order-2").await;

    let a = Recorder::new("consumer.a");
    let b = Recorder::new("consumer.b");
    let handlers: Vec<Arc<dyn EventHandler>> = vec![a, b];
    let transport = in_process(&h.db, &handlers);
    // A previous run handed `first` to the handlers and died before marking it published.
    transport
        .deliver(&load_envelope(&h.db, first).await)
        .await
        .unwrap();

    // The restarted process relays everything still pending.
    let relay = relay(&h.db, transport);
    drain(&h.db, &relay).await;

    let mut seen = effects(&h.db).await;
    seen.sort();
    let mut expected = vec![
        (
            first.to_string(),
            "consumer.a".to_owned(),
            "order-1".to_owned(),
        ),
        (
            first.to_string(),
            "consumer.b".to_owned(),
            "order-1".to_owned(),
        ),
        (
            second.to_string(),
            "consumer.a".to_owned(),
            "order-2".to_owned(),
        ),
        (
            second.to_string(),
            "consumer.b".to_owned(),
            "order-2".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(seen, expected, "one effect per event and handler");
}

async fn load_envelope(db: &Db, id: Uuid) -> EventEnvelope {
    let sql = format!("SELECT aggregate_id, occurred_at, payload FROM \"{PRODUCER}\".\"outbox\" WHERE id = '{id}'");
    let row = db
        .conn()
        .query_one(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let payload: String = row.try_get("", "payload").unwrap();
    EventEnvelope {
        id,
        name: EVENT.to_owned(),
        occurred_at: chrono::Utc::now(),
        source: PRODUCER.to_owned(),
        aggregate_id: row.try_get("", "aggregate_id").unwrap(),
        correlation_id: None,
        payload: serde_json::from_str(&payload).unwrap(),
    }
}

#[tokio::test]
async fn a_handler_failing_every_attempt_lands_in_dead_letters_while_later_events_flow() {
    let h = harness().await;
    let recorder = Arc::new(Recorder {
        name: "consumer.recorder",
        poisoned: vec!["poison".to_owned()],
        flaky: Mutex::new(HashMap::new()),
    });
    let relay = relay(
        &h.db,
        in_process(&h.db, &[recorder.clone() as Arc<dyn EventHandler>]),
    );

    let poison = publish(&h.db, "poison").await;
    let mut healthy = Vec::new();
    for i in 0..5 {
        healthy.push(publish(&h.db, &format!("order-{i}")).await);
    }
    drain(&h.db, &relay).await;

    let handled: Vec<String> = effects(&h.db)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert_eq!(handled.len(), 5);
    for id in &healthy {
        assert!(handled.contains(&id.to_string()));
    }
    assert!(!handled.contains(&poison.to_string()));

    let stats = outbox::stats(h.db.conn(), PRODUCER).await.unwrap();
    assert_eq!((stats.pending, stats.dead), (0, 1));
    let sql =
        format!("SELECT attempts, last_error FROM \"{PRODUCER}\".\"outbox\" WHERE id = '{poison}'");
    let row =
        h.db.conn()
            .query_one(Statement::from_string(h.db.backend(), sql))
            .await
            .unwrap()
            .unwrap();
    let attempts: i32 = row.try_get("", "attempts").unwrap();
    let error: String = row.try_get("", "last_error").unwrap();
    assert_eq!(attempts, 3, "max_attempts");
    assert!(error.contains("poisoned aggregate"), "{error}");

    // An event of the same aggregate after the dead letter is not blocked by it.
    let after = publish(&h.db, "order-0").await;
    drain(&h.db, &relay).await;
    assert!(effects(&h.db)
        .await
        .iter()
        .any(|(id, _, _)| *id == after.to_string()));
}

#[tokio::test]
async fn events_of_one_aggregate_are_handled_in_order_even_when_one_is_retried() {
    let h = harness().await;
    let recorder = Recorder::new("consumer.recorder");
    let relay = relay(
        &h.db,
        in_process(&h.db, &[recorder.clone() as Arc<dyn EventHandler>]),
    );
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(publish(&h.db, "order-1").await);
    }
    // The first fails twice (then succeeds on the third, last allowed attempt).
    recorder.flaky.lock().unwrap().insert(ids[0], 2);
    drain(&h.db, &relay).await;
    let order: Vec<String> = effects(&h.db)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert_eq!(order, ids.iter().map(Uuid::to_string).collect::<Vec<_>>());
}

/// Counts how often the transport is asked to deliver each event (no inbox in the way).
#[derive(Default)]
struct CountingTransport {
    deliveries: Mutex<HashMap<Uuid, u32>>,
}

#[async_trait::async_trait]
impl Transport for CountingTransport {
    fn name(&self) -> &'static str {
        "counting"
    }
    async fn deliver(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        *self.deliveries.lock().unwrap().entry(event.id).or_default() += 1;
        tokio::time::sleep(Duration::from_millis(1)).await;
        Ok(())
    }
}

#[tokio::test]
async fn two_relays_running_at_once_never_deliver_one_event_twice() {
    let h = harness().await;
    let mut ids = Vec::new();
    for i in 0..300 {
        ids.push(publish(&h.db, &format!("aggregate-{}", i % 30)).await);
    }
    let counting = Arc::new(CountingTransport::default());
    let first = relay(&h.db, counting.clone());
    let second = relay(&h.db, counting.clone());
    tokio::join!(drain(&h.db, &first), drain(&h.db, &second));

    let deliveries = counting.deliveries.lock().unwrap();
    assert_eq!(deliveries.len(), ids.len(), "every event delivered");
    let twice: Vec<_> = deliveries.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

#[tokio::test]
async fn commits_with_events_wake_the_relay_without_waiting_for_the_poll() {
    let h = harness().await;
    let recorder = Recorder::new("consumer.recorder");
    let mut slow = settings();
    slow.poll_interval = Duration::from_secs(60);
    let relay = Relay::new(
        h.db.clone(),
        PRODUCER,
        in_process(&h.db, &[recorder as Arc<dyn EventHandler>]),
        slow,
        None,
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(relay.run(stopped));
    tokio::time::sleep(Duration::from_millis(100)).await; // the relay is now waiting
    publish(&h.db, "order-1").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while effects(&h.db).await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the commit did not wake the relay"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send_replace(true);
    task.await.unwrap();
}

#[tokio::test]
async fn after_commit_hooks_run_once_the_writes_are_visible_and_never_on_rollback() {
    let h = harness().await;
    let ran = Arc::new(Mutex::new(Vec::new()));
    let hook = |name: &'static str| {
        let ran = ran.clone();
        move || ran.lock().unwrap().push(name)
    };
    let mut rolled_back = h.db.begin().await.unwrap();
    rolled_back.after_commit(hook("rolled back"));
    rolled_back.rollback().await.unwrap();
    {
        let mut dropped = h.db.begin().await.unwrap();
        dropped.after_commit(hook("dropped"));
    }
    let mut txn = h.db.begin().await.unwrap();
    publish_envelope(&mut txn, PRODUCER, &envelope("order-h"))
        .await
        .unwrap();
    txn.after_commit(hook("first"));
    txn.after_commit(hook("second"));
    assert!(
        ran.lock().unwrap().is_empty(),
        "nothing runs before the commit"
    );
    txn.commit().await.unwrap();
    assert_eq!(*ran.lock().unwrap(), ["first", "second"]);
    let visible =
        h.db.conn()
            .query_one(Statement::from_string(
                h.db.backend(),
                format!("SELECT COUNT(*) AS n FROM \"{PRODUCER}\".\"outbox\""),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
    assert_eq!(visible, 1);
}
