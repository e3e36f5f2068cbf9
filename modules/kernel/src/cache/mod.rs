//! Short-lived shared state: token denylist, login throttling, rate limits, small caches.
//! Redis (deadpool-redis) when `cache.redis_url` is set, otherwise in this process; both pass
//! one contract test suite, so callers cannot tell them apart.
//!
//! Redis is a degradable dependency: every Redis operation is bounded by `cache.timeout_ms`, and
//! [`FailOpen`] (what the modules get) answers reads and counters as "nothing there" while Redis
//! is unreachable, so rate limits and login throttles fail open and revocation checks fall back to
//! the durable list (see `crate::revocation`). Writes that a caller must know about (`set`,
//! `take`) still fail.

mod fail_open;
mod memory;
mod redis;

pub use fail_open::FailOpen;
pub use memory::MemoryCache;
pub use redis::RedisCache;

use std::{sync::Arc, time::Duration};

#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    /// Stores `value` under `key` for `ttl`.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>>;
    /// Reads several keys at once (one round trip on Redis).
    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>>;
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Reads and deletes `key` in one atomic step: of callers racing for a key, one gets it.
    async fn take(&self, key: &str) -> anyhow::Result<Option<String>>;
    /// Increments a counter whose window starts with its first increment and lasts `window`.
    /// Returns the new count and the time left in the window.
    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)>;
    /// The current count of a windowed counter and the time left (0, 0 when absent).
    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)>;
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> anyhow::Result<()>;
}

/// How long one Redis operation (connect included) may take when nothing else is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// Builds the configured cache; `prefix` namespaces every key (tests use one per test).
pub async fn connect(redis_url: &str, prefix: &str) -> anyhow::Result<Arc<dyn Cache>> {
    connect_with(redis_url, prefix, DEFAULT_TIMEOUT).await
}

/// [`connect`] with the bound of every Redis operation (`cache.timeout_ms`).
pub async fn connect_with(
    redis_url: &str,
    prefix: &str,
    timeout: Duration,
) -> anyhow::Result<Arc<dyn Cache>> {
    if redis_url.trim().is_empty() {
        return Ok(Arc::new(MemoryCache::new(prefix)));
    }
    let cache = RedisCache::new(redis_url, prefix, timeout)?;
    // Redis is degradable: a process that starts during an outage serves (failing open) and
    // reports Redis down in /ready until it answers.
    if let Err(error) = cache.ping().await {
        tracing::warn!(error = %format!("{error:#}"), "Redis (cache.redis_url) does not answer; starting without it until it does");
    }
    Ok(Arc::new(cache))
}

/// `/ready` check of the configured cache.
pub struct CacheCheck(pub Arc<dyn Cache>);

#[async_trait::async_trait]
impl crate::ops::ReadinessCheck for CacheCheck {
    fn name(&self) -> String {
        self.0.backend().to_owned()
    }

    async fn check(&self) -> crate::ops::CheckResult {
        match tokio::time::timeout(Duration::from_secs(2), self.0.ping()).await {
            Ok(Ok(())) => crate::ops::pass(None),
            Ok(Err(e)) => crate::ops::fail(format!("{e:#}")),
            Err(_) => crate::ops::fail("no answer within 2 s".to_owned()),
        }
    }
}
