//! How far a module's RabbitMQ consumer is behind: messages waiting in its queue (the broker's
//! count of ready messages) and the age of the oldest event it holds but has not finished. An
//! outbox can be empty while thousands of events still wait in the broker; this is what shows it.

use super::EventEnvelope;
use crate::ops::{fail, pass, CheckResult, ReadinessCheck};
use std::{
    collections::BTreeSet,
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Arc, Mutex,
    },
};
use uuid::Uuid;

/// The lag of one consuming module, kept up to date by its consumer.
#[derive(Debug)]
pub struct ConsumerLag {
    module: String,
    /// Events received and not yet acked or dead-lettered, by their publication time.
    in_flight: Mutex<BTreeSet<(i64, Uuid)>>,
    /// Ready messages in the queue at the last look; -1 before the first one.
    queued: AtomicI64,
    connected: AtomicBool,
}

/// What the admin endpoint, `/ready` and `/metrics` show of a consumer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LagSnapshot {
    pub module: String,
    pub connected: bool,
    /// Messages waiting in the module's queue (unknown until the consumer has looked).
    pub queued: Option<i64>,
    /// Age of the oldest event received but not yet handled; 0 when none is waiting.
    pub oldest_unhandled_age_secs: i64,
}

impl ConsumerLag {
    pub fn new(module: &str) -> Arc<Self> {
        Arc::new(Self {
            module: module.to_owned(),
            in_flight: Mutex::new(BTreeSet::new()),
            queued: AtomicI64::new(-1),
            connected: AtomicBool::new(false),
        })
    }

    pub fn module(&self) -> &str {
        &self.module
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, BTreeSet<(i64, Uuid)>> {
        // A panic while holding this lock cannot leave the set inconsistent; keep using it.
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn received(&self, event: &EventEnvelope) {
        self.in_flight()
            .insert((event.occurred_at.timestamp_millis(), event.id));
    }

    pub(crate) fn finished(&self, event: &EventEnvelope) {
        self.in_flight()
            .remove(&(event.occurred_at.timestamp_millis(), event.id));
    }

    pub(crate) fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::Relaxed);
        if !connected {
            // Unacked messages go back to the queue when the channel closes.
            self.in_flight().clear();
        }
    }

    pub(crate) fn set_queued(&self, queued: u32) {
        self.queued.store(i64::from(queued), Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> LagSnapshot {
        let oldest = self.in_flight().first().map(|(at, _)| *at);
        let age_ms = oldest.map_or(0, |at| (chrono::Utc::now().timestamp_millis() - at).max(0));
        let queued = self.queued.load(Ordering::Relaxed);
        LagSnapshot {
            module: self.module.clone(),
            connected: self.connected.load(Ordering::Relaxed),
            queued: (queued >= 0).then_some(queued),
            oldest_unhandled_age_secs: age_ms / 1000,
        }
    }
}

/// `/ready` check `consumer.<module>`: connected, and the oldest unhandled event younger than
/// the allowed lag (the same limit as for outboxes).
pub struct ConsumerLagCheck {
    pub lag: Arc<ConsumerLag>,
    pub max_lag_secs: i64,
}

#[async_trait::async_trait]
impl ReadinessCheck for ConsumerLagCheck {
    fn name(&self) -> String {
        format!("consumer.{}", self.lag.module())
    }

    async fn check(&self) -> CheckResult {
        let lag = self.lag.snapshot();
        let queued = lag.queued.map_or("unknown".to_owned(), |q| q.to_string());
        let detail = format!(
            "{queued} queued, oldest unhandled {} s",
            lag.oldest_unhandled_age_secs
        );
        if !lag.connected {
            fail(format!("not connected to the broker; {detail}"))
        } else if lag.oldest_unhandled_age_secs > self.max_lag_secs {
            fail(format!("{detail} (limit {} s)", self.max_lag_secs))
        } else {
            pass(Some(detail))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seconds_ago: i64) -> EventEnvelope {
        EventEnvelope {
            id: Uuid::now_v7(),
            name: "test.event.v1".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::seconds(seconds_ago),
            source: "test".into(),
            aggregate_id: "a".into(),
            correlation_id: None,
            payload: serde_json::json!({}),
        }
    }

    #[test]
    fn the_oldest_unfinished_event_sets_the_age() {
        let lag = ConsumerLag::new("notification");
        assert_eq!(lag.snapshot().oldest_unhandled_age_secs, 0);
        assert_eq!(lag.snapshot().queued, None);
        let (old, new) = (event(90), event(5));
        lag.received(&old);
        lag.received(&new);
        lag.set_queued(12);
        let seen = lag.snapshot();
        assert!(
            (89..=91).contains(&seen.oldest_unhandled_age_secs),
            "{seen:?}"
        );
        assert_eq!(seen.queued, Some(12));
        lag.finished(&old);
        assert!(lag.snapshot().oldest_unhandled_age_secs <= 6);
        lag.finished(&new);
        assert_eq!(lag.snapshot().oldest_unhandled_age_secs, 0);
    }

    #[test]
    fn losing_the_broker_forgets_what_was_in_flight() {
        let lag = ConsumerLag::new("report");
        lag.set_connected(true);
        lag.received(&event(30));
        lag.set_connected(false);
        let seen = lag.snapshot();
        assert!(!seen.connected);
        assert_eq!(seen.oldest_unhandled_age_secs, 0);
    }
}
