//! Live fan-out of small messages to every process of a deployment (e.g. notifications pushed to
//! browsers): an in-process broadcast per process, fed by Redis pub/sub when `cache.redis_url` is
//! set. Best effort by design: a message published while Redis is away is lost for the other
//! processes, so after a reconnect subscribers get a [`LiveEvent::Gap`] telling them since when
//! to catch up from their source of truth. Publishing never blocks and never fails the caller.

use anyhow::Context;
use deadpool_redis::redis;
use futures_util::StreamExt;
use std::{sync::Arc, time::Duration};
use tokio::{
    sync::{broadcast, mpsc, watch},
    task::JoinHandle,
};
use uuid::Uuid;

/// Messages a subscriber may fall behind by before it sees `Lagged` (and must catch up).
const LOCAL_CAPACITY: usize = 4096;
/// Messages waiting for Redis; beyond this they are dropped (Redis is slow or away).
const OUTBOUND_CAPACITY: usize = 16_384;
/// Messages sent to Redis in one pipeline.
const PUBLISH_BATCH: usize = 256;
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Message(Arc<str>),
    /// Messages published since this time may not have arrived (the Redis subscription broke).
    Gap {
        since: chrono::DateTime<chrono::Utc>,
    },
}

/// One channel of live messages, shared by every process that connects to it.
pub struct LiveHub {
    local: broadcast::Sender<LiveEvent>,
    /// This process's id: its own messages coming back from Redis are not delivered twice.
    origin: String,
    outbound: Option<mpsc::Sender<String>>,
}

impl LiveHub {
    fn new(outbound: Option<mpsc::Sender<String>>) -> Arc<Self> {
        Arc::new(Self {
            local: broadcast::channel(LOCAL_CAPACITY).0,
            origin: Uuid::now_v7().simple().to_string(),
            outbound,
        })
    }

    /// A hub of this process only.
    pub fn in_process() -> Arc<Self> {
        Self::new(None)
    }

    /// A hub fed by the Redis channel `channel` at `redis_url` (in-process only when the URL is
    /// empty). Returns the tasks to await on shutdown; they stop when `shutdown` turns true.
    pub fn connect(
        redis_url: &str,
        channel: &str,
        shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<(Arc<Self>, Vec<JoinHandle<()>>)> {
        if redis_url.trim().is_empty() {
            return Ok((Self::in_process(), Vec::new()));
        }
        let client = redis::Client::open(redis_url).context("cache.redis_url")?;
        let (outbound, queue) = mpsc::channel(OUTBOUND_CAPACITY);
        let hub = Self::new(Some(outbound));
        let tasks = vec![
            tokio::spawn(publish_loop(
                client.clone(),
                channel.to_owned(),
                queue,
                shutdown.clone(),
            )),
            tokio::spawn(subscribe_loop(
                client,
                channel.to_owned(),
                hub.clone(),
                shutdown,
            )),
        ];
        Ok((hub, tasks))
    }

    /// Delivers `message` to this process's subscribers at once and hands it to Redis for the
    /// others. Never blocks; a full Redis queue drops the message (with a warning).
    pub fn publish(&self, message: String) {
        let _ = self
            .local
            .send(LiveEvent::Message(Arc::from(message.as_str())));
        if let Some(outbound) = &self.outbound {
            let wire = format!("{}\n{message}", self.origin);
            if let Err(mpsc::error::TrySendError::Full(_)) = outbound.try_send(wire) {
                tracing::warn!("live messages are piling up for Redis; one was dropped");
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.local.subscribe()
    }

    pub fn is_shared(&self) -> bool {
        self.outbound.is_some()
    }
}

fn backoff(previous: Duration) -> Duration {
    (previous * 2).clamp(Duration::from_millis(100), MAX_BACKOFF)
}

/// Waits `delay` unless the process stops first (then returns false).
async fn pause(delay: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => !*shutdown.borrow(),
        _ = shutdown.changed() => false,
    }
}

/// Sends queued messages to Redis in pipelines over one multiplexed connection, reconnecting
/// with backoff. While Redis is away, messages are dropped (the other processes will see a gap).
async fn publish_loop(
    client: redis::Client,
    channel: String,
    mut queue: mpsc::Receiver<String>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connection = None;
    let mut delay = Duration::ZERO;
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    loop {
        batch.clear();
        tokio::select! {
            received = queue.recv_many(&mut batch, PUBLISH_BATCH) => if received == 0 { break },
            _ = shutdown.changed() => break,
        }
        if connection.is_none() {
            match client.get_multiplexed_async_connection().await {
                Ok(opened) => {
                    connection = Some(opened);
                    delay = Duration::ZERO;
                }
                Err(error) => {
                    tracing::warn!(%error, dropped = batch.len(), "Redis unreachable; live messages dropped");
                    delay = backoff(delay);
                    if !pause(delay, &mut shutdown).await {
                        break;
                    }
                    continue;
                }
            }
        }
        if let Some(conn) = connection.as_mut() {
            let mut pipe = redis::pipe();
            for message in &batch {
                pipe.publish(&channel, message).ignore();
            }
            if let Err(error) = pipe.query_async::<()>(conn).await {
                tracing::warn!(%error, dropped = batch.len(), "publishing live messages to Redis failed");
                connection = None;
            }
        }
    }
    tracing::debug!("live publisher stopped");
}

/// Keeps one dedicated subscription to the channel, delivering other processes' messages to
/// this process's subscribers; reconnects with backoff and then announces the gap.
async fn subscribe_loop(
    client: redis::Client,
    channel: String,
    hub: Arc<LiveHub>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut lost_since: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut delay = Duration::ZERO;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        }
        .await;
        let mut pubsub = match subscribed {
            Ok(pubsub) => pubsub,
            Err(error) => {
                tracing::warn!(%error, "live subscription to Redis failed; retrying");
                lost_since.get_or_insert_with(chrono::Utc::now);
                delay = backoff(delay);
                if !pause(delay, &mut shutdown).await {
                    break;
                }
                continue;
            }
        };
        delay = Duration::ZERO;
        if let Some(since) = lost_since.take() {
            tracing::info!(%since, "live subscription to Redis restored");
            let _ = hub.local.send(LiveEvent::Gap { since });
        }
        let mut messages = pubsub.on_message();
        loop {
            let message = tokio::select! {
                message = messages.next() => message,
                _ = shutdown.changed() => return,
            };
            let Some(message) = message else {
                tracing::warn!("live subscription to Redis lost; reconnecting");
                lost_since = Some(chrono::Utc::now());
                break;
            };
            let Ok(wire) = message.get_payload::<String>() else {
                continue;
            };
            match wire.split_once('\n') {
                Some((origin, _)) if origin == hub.origin => {}
                Some((_, body)) => {
                    let _ = hub.local.send(LiveEvent::Message(Arc::from(body)));
                }
                None => tracing::debug!("ignored a malformed live message"),
            }
        }
    }
    tracing::debug!("live subscriber stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_process_hub_delivers_to_every_subscriber() {
        let hub = LiveHub::in_process();
        let mut first = hub.subscribe();
        let mut second = hub.subscribe();
        hub.publish("hello".into());
        for receiver in [&mut first, &mut second] {
            match receiver.recv().await {
                Ok(LiveEvent::Message(m)) => assert_eq!(&*m, "hello"),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(!hub.is_shared());
    }

    #[test]
    fn backoff_grows_to_a_ceiling() {
        let mut delay = Duration::ZERO;
        for _ in 0..20 {
            delay = backoff(delay);
        }
        assert_eq!(delay, MAX_BACKOFF);
        assert_eq!(backoff(Duration::ZERO), Duration::from_millis(100));
    }
}
