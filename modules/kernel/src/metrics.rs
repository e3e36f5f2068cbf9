//! Prometheus metrics. Counters are updated where things happen; gauges that reflect stored
//! state (outbox depth, dead letters, pool) are refreshed when `/metrics` is scraped.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::time::Duration;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_latency: HistogramVec,
    pub events_published: IntCounterVec,
    pub events_failed: IntCounterVec,
    pub events_dead_lettered: IntCounterVec,
    pub events_handled: IntCounterVec,
    pub events_duplicate: IntCounterVec,
    pub events_unrouted: IntCounterVec,
    pub outbox_pending: IntGaugeVec,
    pub outbox_oldest_age_seconds: IntGaugeVec,
    pub outbox_dead_letters: IntGaugeVec,
    pub consumer_queued: IntGaugeVec,
    pub consumer_oldest_age_seconds: IntGaugeVec,
    pub db_pool_connections: IntGaugeVec,
    /// Cache operations that failed (and were answered without the cache where that is safe).
    pub cache_errors: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("evdms".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template, method and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            ),
            &["method", "route"],
        )?;
        let counter = |name: &str, help: &str, labels: &[&str]| {
            IntCounterVec::new(Opts::new(name, help), labels)
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            IntGaugeVec::new(Opts::new(name, help), labels)
        };
        let metrics = Self {
            http_requests,
            http_latency,
            events_published: counter(
                "events_published_total",
                "Events handed to the transport",
                &["module", "event"],
            )?,
            events_failed: counter(
                "events_failed_total",
                "Failed delivery attempts",
                &["module", "event"],
            )?,
            events_dead_lettered: counter(
                "events_dead_lettered_total",
                "Events moved to dead letters",
                &["module", "event"],
            )?,
            events_handled: counter(
                "events_handled_total",
                "Events handled by a consumer",
                &["handler", "event"],
            )?,
            events_duplicate: counter(
                "events_duplicate_total",
                "Redeliveries skipped because the inbox already had them",
                &["handler", "event"],
            )?,
            events_unrouted: counter(
                "events_unrouted_total",
                "Events the broker accepted with no queue bound to them (no module subscribes)",
                &["event"],
            )?,
            outbox_pending: gauge(
                "outbox_pending",
                "Undelivered events per module",
                &["module"],
            )?,
            outbox_oldest_age_seconds: gauge(
                "outbox_oldest_pending_age_seconds",
                "Age of the oldest undelivered event per module",
                &["module"],
            )?,
            outbox_dead_letters: gauge(
                "outbox_dead_letters",
                "Dead-lettered events per module",
                &["module"],
            )?,
            consumer_queued: gauge(
                "consumer_queued",
                "Messages waiting in a consuming module's RabbitMQ queue",
                &["module"],
            )?,
            consumer_oldest_age_seconds: gauge(
                "consumer_oldest_unhandled_age_seconds",
                "Age of the oldest event a consumer has received and not yet handled",
                &["module"],
            )?,
            db_pool_connections: gauge(
                "db_pool_connections",
                "Database pool connections by state",
                &["state"],
            )?,
            cache_errors: counter(
                "cache_errors_total",
                "Cache (Redis) operations that failed, by operation",
                &["op"],
            )?,
            registry,
        };
        metrics
            .registry
            .register(Box::new(metrics.http_requests.clone()))?;
        metrics
            .registry
            .register(Box::new(metrics.http_latency.clone()))?;
        for collector in [
            &metrics.events_published,
            &metrics.events_failed,
            &metrics.events_dead_lettered,
            &metrics.events_handled,
            &metrics.events_duplicate,
            &metrics.events_unrouted,
            &metrics.cache_errors,
        ] {
            metrics.registry.register(Box::new(collector.clone()))?;
        }
        for collector in [
            &metrics.outbox_pending,
            &metrics.outbox_oldest_age_seconds,
            &metrics.outbox_dead_letters,
            &metrics.consumer_queued,
            &metrics.consumer_oldest_age_seconds,
            &metrics.db_pool_connections,
        ] {
            metrics.registry.register(Box::new(collector.clone()))?;
        }
        Ok(metrics)
    }

    pub fn observe_http(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of everything registered.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
