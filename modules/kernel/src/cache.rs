//! Short-lived shared state: token denylist, login throttling, rate limits, small caches.
//! Redis (deadpool-redis) when `cache.redis_url` is set, otherwise in this process; both pass
//! one contract test suite, so callers cannot tell them apart.

use anyhow::Context;
use deadpool_redis::redis;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

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

/// Builds the configured cache; `prefix` namespaces every key (tests use one per test).
pub async fn connect(redis_url: &str, prefix: &str) -> anyhow::Result<Arc<dyn Cache>> {
    if redis_url.trim().is_empty() {
        return Ok(Arc::new(MemoryCache::new(prefix)));
    }
    let pool = deadpool_redis::Config::from_url(redis_url)
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .context("creating the Redis pool (cache.redis_url)")?;
    let cache = RedisCache {
        pool,
        prefix: prefix.to_owned(),
    };
    cache
        .ping()
        .await
        .context("connecting to Redis (cache.redis_url)")?;
    Ok(Arc::new(cache))
}

#[derive(Default)]
struct Entry {
    value: String,
    expires: Option<Instant>,
}

/// Process-local cache with lazy expiry (and a sweep when it grows).
pub struct MemoryCache {
    prefix: String,
    entries: Mutex<HashMap<String, Entry>>,
}

impl MemoryCache {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > 10_000 {
            let now = Instant::now();
            entries.retain(|_, e| e.expires.is_none_or(|t| t > now));
        }
        f(&mut entries)
    }

    fn live<'a>(entries: &'a HashMap<String, Entry>, key: &str) -> Option<&'a Entry> {
        entries
            .get(key)
            .filter(|e| e.expires.is_none_or(|t| t > Instant::now()))
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let key = format!("{}{key}", self.prefix);
        self.with(|e| {
            e.insert(
                key,
                Entry {
                    value: value.to_owned(),
                    expires: Some(Instant::now() + ttl),
                },
            )
        });
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| Self::live(e, &key).map(|entry| entry.value.clone())))
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        Ok(self.with(|e| {
            keys.iter()
                .map(|k| {
                    Self::live(e, &format!("{}{k}", self.prefix)).map(|entry| entry.value.clone())
                })
                .collect()
        }))
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let key = format!("{}{key}", self.prefix);
        self.with(|e| e.remove(&key));
        Ok(())
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| {
            let live = Self::live(e, &key).is_some();
            e.remove(&key).filter(|_| live).map(|entry| entry.value)
        }))
    }

    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|entries| {
            let now = Instant::now();
            let entry = entries.entry(key).or_default();
            if entry.expires.is_none_or(|t| t <= now) {
                *entry = Entry {
                    value: "0".to_owned(),
                    expires: Some(now + window),
                };
            }
            let count = entry.value.parse::<u64>().unwrap_or(0) + 1;
            entry.value = count.to_string();
            (
                count,
                entry
                    .expires
                    .map(|t| t.saturating_duration_since(now))
                    .unwrap_or_default(),
            )
        }))
    }

    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| match Self::live(e, &key) {
            Some(entry) => (
                entry.value.parse().unwrap_or(0),
                entry
                    .expires
                    .map(|t| t.saturating_duration_since(Instant::now()))
                    .unwrap_or_default(),
            ),
            None => (0, Duration::ZERO),
        }))
    }

    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

pub struct RedisCache {
    pool: deadpool_redis::Pool,
    prefix: String,
}

impl RedisCache {
    async fn conn(&self) -> anyhow::Result<deadpool_redis::Connection> {
        self.pool.get().await.context("getting a Redis connection")
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let mut conn = self.conn().await?;
        redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let mut conn = self.conn().await?;
        Ok(redis::cmd("GET")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut conn)
            .await?)
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn().await?;
        let mut cmd = redis::cmd("MGET");
        for key in keys {
            cmd.arg(format!("{}{key}", self.prefix));
        }
        Ok(cmd.query_async(&mut conn).await?)
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.conn().await?;
        redis::cmd("DEL")
            .arg(format!("{}{key}", self.prefix))
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = format!("{}{key}", self.prefix);
        let mut conn = self.conn().await?;
        // MULTI/EXEC rather than GETDEL, which needs Redis 6.2.
        let (value,): (Option<String>,) = redis::pipe()
            .atomic()
            .cmd("GET")
            .arg(&key)
            .cmd("DEL")
            .arg(&key)
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(value)
    }

    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        let mut conn = self.conn().await?;
        // One atomic round trip: the window starts with the first increment (PEXPIRE NX).
        let (count, ttl): (u64, i64) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(window))
            .arg("NX")
            .ignore()
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut conn)
            .await?;
        Ok((
            count,
            Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
        ))
    }

    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        let mut conn = self.conn().await?;
        let (count, ttl): (Option<u64>, i64) = redis::pipe()
            .cmd("GET")
            .arg(&key)
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut conn)
            .await?;
        Ok((
            count.unwrap_or(0),
            Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
        ))
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> anyhow::Result<()> {
        let mut conn = self.conn().await?;
        let pong: String = redis::cmd("PING").query_async(&mut conn).await?;
        anyhow::ensure!(pong == "PONG", "unexpected PING answer {pong}");
        Ok(())
    }
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
