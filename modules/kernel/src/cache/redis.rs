//! The Redis cache (deadpool-redis). Every operation, connecting included, is bounded by the
//! configured timeout; after a connection failure or a timeout the cache fails fast for
//! [`RETRY_AFTER`] instead of making every request wait for an unreachable server again.

use super::Cache;
use anyhow::Context;
use deadpool_redis::redis::{self, RedisError};
use std::{
    future::Future,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long the cache fails fast after Redis did not answer.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct RedisCache {
    pool: deadpool_redis::Pool,
    prefix: String,
    timeout: Duration,
    /// Until when operations fail without trying (set after a connection failure).
    down_until: Mutex<Option<Instant>>,
}

/// Whether an error says the server is unreachable (rather than that a command failed).
fn unreachable(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
}

impl RedisCache {
    pub fn new(redis_url: &str, prefix: &str, timeout: Duration) -> anyhow::Result<Self> {
        let mut config = deadpool_redis::Config::from_url(redis_url);
        let mut pool = config.get_pool_config();
        pool.timeouts.wait = Some(timeout);
        pool.timeouts.create = Some(timeout);
        pool.timeouts.recycle = Some(timeout);
        config.pool = Some(pool);
        let pool = config
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .context("creating the Redis pool (cache.redis_url)")?;
        Ok(Self {
            pool,
            prefix: prefix.to_owned(),
            timeout,
            down_until: Mutex::new(None),
        })
    }

    fn mark(&self, down: bool) {
        let mut until = self
            .down_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *until = down.then(|| Instant::now() + RETRY_AFTER);
    }

    fn failing_fast(&self) -> bool {
        self.down_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some_and(|until| until > Instant::now())
    }

    /// Runs one operation within the timeout, on a pooled connection.
    async fn run<T, F, Fut>(&self, op: F) -> anyhow::Result<T>
    where
        F: FnOnce(deadpool_redis::Connection) -> Fut,
        Fut: Future<Output = Result<T, RedisError>>,
    {
        anyhow::ensure!(
            !self.failing_fast(),
            "Redis is unreachable (retrying within {} ms)",
            RETRY_AFTER.as_millis()
        );
        let attempt = async {
            let conn = match self.pool.get().await {
                Ok(conn) => conn,
                Err(error) => {
                    self.mark(true);
                    return Err(anyhow::Error::new(error).context("getting a Redis connection"));
                }
            };
            op(conn).await.map_err(|error| {
                if unreachable(&error) {
                    self.mark(true);
                }
                anyhow::Error::new(error)
            })
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => {
                self.mark(true);
                anyhow::bail!(
                    "Redis did not answer within {} ms",
                    self.timeout.as_millis()
                )
            }
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

/// A PTTL answer as the time left (negative: no key, or no expiry).
fn left(pttl: i64) -> Duration {
    Duration::from_millis(u64::try_from(pttl).unwrap_or(0))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let key = self.key(key);
        self.run(|mut conn| async move {
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(millis(ttl))
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = self.key(key);
        self.run(|mut conn| async move { redis::cmd("GET").arg(key).query_async(&mut conn).await })
            .await
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = redis::cmd("MGET");
        for key in keys {
            cmd.arg(self.key(key));
        }
        self.run(|mut conn| async move { cmd.query_async(&mut conn).await })
            .await
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let key = self.key(key);
        self.run(|mut conn| async move {
            redis::cmd("DEL")
                .arg(key)
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = self.key(key);
        // MULTI/EXEC rather than GETDEL, which needs Redis 6.2.
        let (value,): (Option<String>,) = self
            .run(|mut conn| async move {
                redis::pipe()
                    .atomic()
                    .cmd("GET")
                    .arg(&key)
                    .cmd("DEL")
                    .arg(&key)
                    .ignore()
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok(value)
    }

    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        let key = self.key(key);
        // One atomic round trip: the window starts with the first increment (PEXPIRE NX).
        let (count, ttl): (u64, i64) = self
            .run(|mut conn| async move {
                redis::pipe()
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
                    .await
            })
            .await?;
        Ok((count, left(ttl)))
    }

    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        let key = self.key(key);
        let (count, ttl): (Option<u64>, i64) = self
            .run(|mut conn| async move {
                redis::pipe()
                    .cmd("GET")
                    .arg(&key)
                    .cmd("PTTL")
                    .arg(&key)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok((count.unwrap_or(0), left(ttl)))
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    /// Always tries (readiness and start-up must see the real state); success ends failing fast.
    async fn ping(&self) -> anyhow::Result<()> {
        let attempt = async {
            let mut conn = self
                .pool
                .get()
                .await
                .context("getting a Redis connection")?;
            let pong: String = redis::cmd("PING").query_async(&mut conn).await?;
            anyhow::ensure!(pong == "PONG", "unexpected PING answer {pong}");
            Ok(())
        };
        let result = tokio::time::timeout(self.timeout, attempt)
            .await
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "Redis did not answer within {} ms",
                    self.timeout.as_millis()
                ))
            });
        self.mark(result.is_err());
        result
    }
}
