//! One contract for every transport: in-process always, RabbitMQ when EVDMS_TEST_AMQP_URL is set.
//! Ordering per aggregate, one effect under redelivery, poison messages to dead letters while
//! others flow, and recovery after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kernel::events::{
    outbox,
    rabbitmq::{Broker, ConsumerSettings, QueueSpec, RabbitConsumer, RabbitTransport},
    EventEnvelope, EventHandler, InProcessTransport, Relay, Transport,
};
use sea_orm::{ConnectionTrait, Statement};
use std::{sync::Arc, time::Duration};
use support::*;
use tokio::{sync::watch, task::JoinHandle};

#[derive(Clone)]
enum Kind {
    InProcess,
    /// Broker URL and the test's name prefix.
    RabbitMq(String, String),
}

/// The transports to test; the guard deletes the RabbitMQ topology when the test ends.
fn kinds() -> (Vec<Kind>, Option<kernel::testing::TestBroker>) {
    let mut kinds = vec![Kind::InProcess];
    let broker = kernel::testing::TestBroker::create();
    if let Some(broker) = &broker {
        kinds.push(Kind::RabbitMq(broker.url.clone(), broker.prefix.clone()));
    }
    (kinds, broker)
}

/// A running bus: the producer's relay and, for RabbitMQ, the consumer.
struct Bus {
    kind: Kind,
    harness_db: kernel::Db,
    transport: Arc<dyn Transport>,
    broker: Option<Arc<Broker>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// How a bus retries a failing event: quickly (most tests), or slowly enough that a test can
/// watch other events pass a failing one.
#[derive(Clone, Copy)]
enum Retries {
    Quick,
    Slow,
}

impl Bus {
    async fn start(
        kind: &Kind,
        h: &Harness,
        handlers: Vec<Arc<dyn EventHandler>>,
        broker: Option<Arc<Broker>>,
    ) -> Self {
        Self::start_with(kind, h, handlers, broker, Retries::Quick).await
    }

    async fn start_with(
        kind: &Kind,
        h: &Harness,
        handlers: Vec<Arc<dyn EventHandler>>,
        broker: Option<Arc<Broker>>,
        retries: Retries,
    ) -> Self {
        let (max_attempts, backoff_base, backoff_max) = match retries {
            Retries::Quick => (3, Duration::from_millis(5), Duration::from_millis(20)),
            Retries::Slow => (6, Duration::from_millis(400), Duration::from_millis(1500)),
        };
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let (transport, broker): (Arc<dyn Transport>, Option<Arc<Broker>>) = match kind {
            Kind::InProcess => (
                Arc::new(InProcessTransport::new(h.db.clone(), &handlers, None)),
                None,
            ),
            Kind::RabbitMq(url, prefix) => {
                let broker = broker.unwrap_or_else(|| {
                    Broker::new(
                        url,
                        prefix,
                        vec![QueueSpec {
                            module: CONSUMER.into(),
                            events: vec![EVENT.into()],
                        }],
                    )
                });
                let consumer = RabbitConsumer::new(
                    broker.clone(),
                    CONSUMER,
                    handlers,
                    h.db.clone(),
                    None,
                    ConsumerSettings {
                        prefetch: 16,
                        max_attempts,
                        backoff_base,
                        backoff_max,
                    },
                );
                tasks.push(tokio::spawn(consumer.run(stopped.clone())));
                (Arc::new(RabbitTransport::new(broker.clone())), Some(broker))
            }
        };
        let mut relay_settings = settings();
        if let Retries::Slow = retries {
            relay_settings.max_attempts = max_attempts;
            relay_settings.backoff_base = backoff_base;
            relay_settings.backoff_max = backoff_max;
        }
        let relay = Relay::new(
            h.db.clone(),
            PRODUCER,
            transport.clone(),
            relay_settings,
            None,
        );
        tasks.push(tokio::spawn(relay.run(stopped)));
        Self {
            kind: kind.clone(),
            harness_db: h.db.clone(),
            transport,
            broker,
            stop,
            tasks,
        }
    }

    /// Stops relay and consumer (as a process exit would); returns the broker for a restart.
    async fn stop(self) -> Option<Arc<Broker>> {
        self.stop.send_replace(true);
        for task in self.tasks {
            task.await.unwrap();
        }
        self.broker
    }

    async fn dead_letters(&self) -> Vec<String> {
        match &self.kind {
            Kind::InProcess => {
                let sql = format!("SELECT id FROM \"{PRODUCER}\".\"outbox\" WHERE status = 'dead'");
                let db = &self.harness_db;
                let rows = db
                    .conn()
                    .query_all(Statement::from_string(db.backend(), sql))
                    .await
                    .unwrap();
                rows.iter().map(|r| r.try_get("", "id").unwrap()).collect()
            }
            Kind::RabbitMq(..) => {
                let broker = self.broker.as_ref().unwrap();
                broker
                    .dead_letters(CONSUMER, 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|d| d.envelope.id.to_string())
                    .collect()
            }
        }
    }
}

/// Waits (bounded) until `count` effects exist.
async fn await_effects(h: &Harness, count: usize) -> Vec<(String, String, String)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen = effects(&h.db).await;
        if seen.len() >= count {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {count} effects",
            seen.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn await_outbox_drained(h: &Harness) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while outbox::stats(h.db.conn(), PRODUCER).await.unwrap().pending > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "outbox did not drain"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn events_of_one_aggregate_are_handled_in_order_despite_retries() {
    let (kinds, _broker) = kinds();
    for kind in kinds {
        let h = harness().await;
        let recorder = Recorder::new("consumer.recorder");
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push((
                publish(&h.db, if i % 2 == 0 { "order-a" } else { "order-b" }).await,
                i % 2,
            ));
        }
        recorder.flaky.lock().unwrap().insert(ids[0].0, 2);
        let bus = Bus::start(&kind, &h, vec![recorder.clone()], None).await;
        let seen = await_effects(&h, 20).await;
        for aggregate in ["order-a", "order-b"] {
            let order: Vec<&String> = seen
                .iter()
                .filter(|(_, _, a)| a == aggregate)
                .map(|(id, _, _)| id)
                .collect();
            let expected: Vec<String> = ids
                .iter()
                .filter(|(_, parity)| *parity == usize::from(aggregate == "order-b"))
                .map(|(id, _)| id.to_string())
                .collect();
            assert_eq!(
                order,
                expected.iter().collect::<Vec<_>>(),
                "{aggregate} out of order ({})",
                bus.transport.name()
            );
        }
        bus.stop().await;
    }
}

#[tokio::test]
async fn redelivered_events_have_exactly_one_effect() {
    let (kinds, _broker) = kinds();
    for kind in kinds {
        let h = harness().await;
        let recorder = Recorder::new("consumer.recorder");
        let bus = Bus::start(&kind, &h, vec![recorder.clone()], None).await;
        let mut envelopes: Vec<EventEnvelope> = Vec::new();
        for i in 0..10 {
            let id = publish(&h.db, &format!("order-{i}")).await;
            envelopes.push(EventEnvelope {
                id,
                ..envelope(&format!("order-{i}"))
            });
        }
        await_outbox_drained(&h).await;
        await_effects(&h, 10).await;
        // The same envelopes arrive again (a relay that died before marking them published).
        for envelope in &envelopes {
            bus.transport.deliver(envelope).await.unwrap();
        }
        // A marker event behind the duplicates proves they were all consumed.
        publish(&h.db, "marker").await;
        let seen = await_effects(&h, 11).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            effects(&h.db).await.len(),
            11,
            "duplicates had no effect ({})",
            bus.transport.name()
        );
        assert_eq!(seen.iter().filter(|(_, _, a)| a == "marker").count(), 1);
        bus.stop().await;
    }
}

#[tokio::test]
async fn a_poison_event_is_dead_lettered_while_others_flow() {
    let (kinds, _broker) = kinds();
    for kind in kinds {
        let h = harness().await;
        let recorder = Arc::new(Recorder {
            name: "consumer.recorder",
            poisoned: vec!["poison".to_owned()],
            flaky: Default::default(),
        });
        let bus = Bus::start(
            &kind,
            &h,
            vec![recorder.clone() as Arc<dyn EventHandler>],
            None,
        )
        .await;
        let poison = publish(&h.db, "poison").await;
        for i in 0..10 {
            publish(&h.db, &format!("order-{i}")).await;
        }
        let seen = await_effects(&h, 10).await;
        assert!(seen.iter().all(|(id, _, _)| *id != poison.to_string()));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let dead = bus.dead_letters().await;
            if dead.contains(&poison.to_string()) {
                assert_eq!(dead.len(), 1, "{}", bus.transport.name());
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "poison never reached the dead letters ({})",
                bus.transport.name()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bus.stop().await;
    }
}

#[tokio::test]
async fn a_failing_event_delays_only_its_own_aggregate() {
    let (kinds, _broker) = kinds();
    for kind in kinds {
        let h = harness().await;
        let recorder = Recorder::new("consumer.recorder");
        // Fails four times, then succeeds: several seconds of backoff for its aggregate.
        let stuck = publish(&h.db, "order-stuck").await;
        recorder.flaky.lock().unwrap().insert(stuck, 4);
        let behind = publish(&h.db, "order-stuck").await;
        let mut others = Vec::new();
        for i in 0..30 {
            others.push(publish(&h.db, &format!("order-{i}")).await.to_string());
        }
        let bus = Bus::start_with(&kind, &h, vec![recorder.clone()], None, Retries::Slow).await;
        let started = tokio::time::Instant::now();
        let seen = await_effects(&h, 30).await;
        let waited = started.elapsed();
        let handled: Vec<&String> = seen.iter().map(|(id, _, _)| id).collect();
        for id in &others {
            assert!(
                handled.contains(&id),
                "{id} waited ({})",
                bus.transport.name()
            );
        }
        assert!(
            !handled.contains(&&stuck.to_string()) && !handled.contains(&&behind.to_string()),
            "the failing aggregate is still retrying ({})",
            bus.transport.name()
        );
        assert!(
            waited < Duration::from_secs(2),
            "other aggregates waited {waited:?} behind the failing one ({})",
            bus.transport.name()
        );
        // Then the failing event succeeds and the one behind it follows, in order.
        let seen = await_effects(&h, 32).await;
        let stuck_at = seen.iter().position(|(id, _, _)| *id == stuck.to_string());
        let behind_at = seen.iter().position(|(id, _, _)| *id == behind.to_string());
        assert!(
            stuck_at.is_some() && stuck_at < behind_at,
            "order of the failing aggregate ({})",
            bus.transport.name()
        );
        bus.stop().await;
    }
}

#[tokio::test]
async fn events_published_while_stopped_are_delivered_after_a_restart() {
    let (kinds, _broker) = kinds();
    for kind in kinds {
        let h = harness().await;
        let recorder = Recorder::new("consumer.recorder");
        let bus = Bus::start(&kind, &h, vec![recorder.clone()], None).await;
        for i in 0..5 {
            publish(&h.db, &format!("order-{i}")).await;
        }
        await_effects(&h, 5).await;
        let broker = bus.stop().await;
        // Down: events pile up (in the outbox, and for RabbitMQ also in the durable queue).
        for i in 5..15 {
            publish(&h.db, &format!("order-{i}")).await;
        }
        let bus = Bus::start(&kind, &h, vec![recorder.clone()], broker).await;
        let seen = await_effects(&h, 15).await;
        let mut ids: Vec<&String> = seen.iter().map(|(id, _, _)| id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 15, "each event once ({})", bus.transport.name());
        bus.stop().await;
    }
}

/// An event no queue is bound to (nobody subscribes) is delivered as far as it goes: the
/// publish succeeds and the broker's return is counted, not treated as a failure or a warning.
#[tokio::test]
async fn rabbitmq_counts_unrouted_events_and_delivers_them_as_published() {
    let Some(test_broker) = kernel::testing::TestBroker::create() else {
        return;
    };
    let broker = Broker::new(
        &test_broker.url,
        &test_broker.prefix,
        vec![QueueSpec {
            module: CONSUMER.into(),
            events: vec![EVENT.into()],
        }],
    );
    let metrics = kernel::metrics::Metrics::new().unwrap();
    broker.observe(metrics.clone());
    let transport = RabbitTransport::new(broker.clone());
    let unrouted = |name: &str| metrics.events_unrouted.with_label_values(&[name]).get();

    let mut nobody = envelope("a-1");
    nobody.name = "producer.nobody_listens.v1".into();
    transport.deliver(&nobody).await.unwrap();
    assert_eq!(unrouted("producer.nobody_listens.v1"), 1);

    let routed = envelope("a-2");
    let outcomes = transport
        .deliver_batch(&[routed.clone(), nobody.clone()])
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(unrouted("producer.nobody_listens.v1"), 2);
    assert_eq!(unrouted(EVENT), 0, "a bound event is not counted");
    let text = metrics.render().unwrap();
    assert!(
        text.contains("evdms_events_unrouted_total{event=\"producer.nobody_listens.v1\"} 2"),
        "{text}"
    );
    broker.reset().await;
}
