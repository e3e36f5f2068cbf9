//! The one place that decides what a cache outage means, so callers need not each handle it.
//!
//! Reads and counters fail OPEN: `get`, `get_many` and `count` answer "nothing there",
//! `increment` answers a count of 0 (so rate limits and login throttles let requests through)
//! and `delete` is dropped (every key deleted expires by itself). `set` and `take` still fail: a
//! value that was not stored, or a single-use key that cannot be spent, is the caller's to
//! handle. Every swallowed error counts in `evdms_cache_errors_total{op}` and is logged as a
//! warning at most once per [`WARN_EVERY`], with how many were suppressed.

use super::Cache;
use prometheus::IntCounterVec;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

pub const WARN_EVERY: Duration = Duration::from_secs(10);

pub struct FailOpen {
    inner: Arc<dyn Cache>,
    errors: Option<IntCounterVec>,
    last_warning: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
}

impl FailOpen {
    /// Wraps `inner`; `errors` is the `cache_errors_total` counter (by `op`), if metrics are kept.
    pub fn new(inner: Arc<dyn Cache>, errors: Option<IntCounterVec>) -> Self {
        Self {
            inner,
            errors,
            last_warning: Mutex::new(None),
            suppressed: AtomicU64::new(0),
        }
    }

    /// The error counted and (rate-limited) logged; `fallback` answered instead.
    fn degrade<T>(&self, op: &'static str, result: anyhow::Result<T>, fallback: T) -> T {
        match result {
            Ok(value) => value,
            Err(error) => {
                self.record(op, &error);
                fallback
            }
        }
    }

    fn record(&self, op: &'static str, error: &anyhow::Error) {
        if let Some(errors) = &self.errors {
            errors.with_label_values(&[op]).inc();
        }
        let now = Instant::now();
        let mut last = self
            .last_warning
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|t| now.duration_since(t) < WARN_EVERY) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        *last = Some(now);
        let suppressed = self.suppressed.swap(0, Ordering::Relaxed);
        tracing::warn!(
            op,
            backend = self.inner.backend(),
            suppressed,
            error = %format!("{error:#}"),
            "cache unavailable: failing open (rate limits and throttles not applied, revocations from the database)"
        );
    }
}

#[async_trait::async_trait]
impl Cache for FailOpen {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let result = self.inner.set(key, value, ttl).await;
        if let Err(error) = &result {
            self.record("set", error);
        }
        result
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self.degrade("get", self.inner.get(key).await, None))
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        let absent = vec![None; keys.len()];
        Ok(self.degrade("get_many", self.inner.get_many(keys).await, absent))
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.degrade("delete", self.inner.delete(key).await, ());
        Ok(())
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        let result = self.inner.take(key).await;
        if let Err(error) = &result {
            self.record("take", error);
        }
        result
    }

    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        Ok(self.degrade(
            "increment",
            self.inner.increment(key, window).await,
            (0, Duration::ZERO),
        ))
    }

    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        Ok(self.degrade("count", self.inner.count(key).await, (0, Duration::ZERO)))
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    /// Not degraded: readiness must see the outage.
    async fn ping(&self) -> anyhow::Result<()> {
        self.inner.ping().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Down;

    #[async_trait::async_trait]
    impl Cache for Down {
        async fn set(&self, _: &str, _: &str, _: Duration) -> anyhow::Result<()> {
            anyhow::bail!("down")
        }
        async fn get(&self, _: &str) -> anyhow::Result<Option<String>> {
            anyhow::bail!("down")
        }
        async fn get_many(&self, _: &[String]) -> anyhow::Result<Vec<Option<String>>> {
            anyhow::bail!("down")
        }
        async fn delete(&self, _: &str) -> anyhow::Result<()> {
            anyhow::bail!("down")
        }
        async fn take(&self, _: &str) -> anyhow::Result<Option<String>> {
            anyhow::bail!("down")
        }
        async fn increment(&self, _: &str, _: Duration) -> anyhow::Result<(u64, Duration)> {
            anyhow::bail!("down")
        }
        async fn count(&self, _: &str) -> anyhow::Result<(u64, Duration)> {
            anyhow::bail!("down")
        }
        fn backend(&self) -> &'static str {
            "redis"
        }
        async fn ping(&self) -> anyhow::Result<()> {
            anyhow::bail!("down")
        }
    }

    #[tokio::test]
    async fn reads_and_counters_fail_open_and_are_counted() {
        let errors = IntCounterVec::new(prometheus::Opts::new("e", "e"), &["op"]).unwrap();
        let cache = FailOpen::new(Arc::new(Down), Some(errors.clone()));
        assert_eq!(cache.get("k").await.unwrap(), None);
        assert_eq!(
            cache.get_many(&["a".into(), "b".into()]).await.unwrap(),
            vec![None, None]
        );
        assert_eq!(cache.increment("c", WARN_EVERY).await.unwrap().0, 0);
        assert_eq!(cache.count("c").await.unwrap().0, 0);
        cache.delete("k").await.unwrap();
        assert!(cache.set("k", "v", WARN_EVERY).await.is_err());
        assert!(cache.take("k").await.is_err());
        assert!(cache.ping().await.is_err(), "readiness sees the outage");
        assert_eq!(errors.with_label_values(&["increment"]).get(), 1);
        assert_eq!(errors.with_label_values(&["set"]).get(), 1);
    }
}
