//! Live push of new inbox items to the streams open in every process: items are published on
//! the kernel's live hub (Redis pub/sub when configured) after their transaction commits, and
//! routed here to the streams of their owner only. Best effort: the inbox is the source of truth,
//! and a stream catches up from it after a gap.

use crate::store::inbox;
use kernel::live::{LiveEvent, LiveHub};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// Items one user's streams may fall behind by before they catch up from the inbox.
const PER_USER_CAPACITY: usize = 64;

/// A new inbox item as it travels between processes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveItem {
    pub item: inbox::Model,
    /// The owner's unread count as of the item's commit.
    pub unread: u64,
}

/// What one user's streams receive.
#[derive(Debug, Clone)]
pub enum Delivery {
    Item(Arc<LiveItem>),
    /// Items created since then may not have arrived: catch up from the inbox.
    Gap(chrono::DateTime<chrono::Utc>),
}

struct UserStreams {
    sender: broadcast::Sender<Delivery>,
    open: u32,
}

/// Too many streams of one user are open in this process.
#[derive(Debug, thiserror::Error)]
#[error("{0} live streams are open already")]
pub struct TooManyStreams(pub u32);

/// This process's live streams, by user.
pub struct LivePush {
    hub: Arc<LiveHub>,
    users: Mutex<HashMap<Uuid, UserStreams>>,
    max_per_user: u32,
}

impl LivePush {
    /// Routes what `hub` carries to the users' streams until `shutdown` turns true.
    pub fn start(
        hub: Arc<LiveHub>,
        max_per_user: u32,
        shutdown: watch::Receiver<bool>,
    ) -> (Arc<Self>, tokio::task::JoinHandle<()>) {
        let push = Arc::new(Self {
            hub,
            users: Mutex::new(HashMap::new()),
            max_per_user,
        });
        let router = tokio::spawn(route(push.clone(), push.hub.subscribe(), shutdown));
        (push, router)
    }

    fn users(&self) -> MutexGuard<'_, HashMap<Uuid, UserStreams>> {
        self.users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Tells every process about committed items (call only after the commit).
    pub fn publish(&self, items: &[LiveItem]) {
        for item in items {
            match serde_json::to_string(item) {
                Ok(message) => self.hub.publish(message),
                Err(error) => tracing::warn!(%error, "could not encode a live inbox item"),
            }
        }
    }

    /// Opens a stream of `user`'s new items (subscribed from now on).
    pub fn open(self: &Arc<Self>, user: Uuid) -> Result<Subscription, TooManyStreams> {
        let mut users = self.users();
        let streams = users.entry(user).or_insert_with(|| UserStreams {
            sender: broadcast::channel(PER_USER_CAPACITY).0,
            open: 0,
        });
        if streams.open >= self.max_per_user {
            return Err(TooManyStreams(streams.open));
        }
        streams.open += 1;
        Ok(Subscription {
            receiver: streams.sender.subscribe(),
            user,
            push: self.clone(),
        })
    }

    /// Streams open in this process (for the benchmark and metrics).
    pub fn open_streams(&self) -> u64 {
        self.users().values().map(|s| u64::from(s.open)).sum()
    }

    fn deliver(&self, event: LiveEvent) {
        match event {
            LiveEvent::Message(message) => match serde_json::from_str::<LiveItem>(&message) {
                Ok(item) => {
                    if let Some(streams) = self.users().get(&item.item.user_id) {
                        let _ = streams.sender.send(Delivery::Item(Arc::new(item)));
                    }
                }
                Err(error) => tracing::debug!(%error, "ignored a malformed live inbox item"),
            },
            LiveEvent::Gap { since } => self.gap(since),
        }
    }

    fn gap(&self, since: chrono::DateTime<chrono::Utc>) {
        for streams in self.users().values() {
            let _ = streams.sender.send(Delivery::Gap(since));
        }
    }
}

/// Seconds of slack when catching up after a gap (clocks of processes differ a little).
pub const GAP_SLACK_SECS: i64 = 5;

async fn route(
    push: Arc<LivePush>,
    mut events: broadcast::Receiver<LiveEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shutdown.changed() => break,
        };
        match event {
            Ok(event) => push.deliver(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "live router fell behind; streams catch up");
                push.gap(chrono::Utc::now() - chrono::Duration::seconds(GAP_SLACK_SECS));
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}

/// One open stream's share of its user's items; closing it frees a place.
pub struct Subscription {
    pub receiver: broadcast::Receiver<Delivery>,
    user: Uuid,
    push: Arc<LivePush>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut users = self.push.users();
        if let Some(streams) = users.get_mut(&self.user) {
            streams.open = streams.open.saturating_sub(1);
            if streams.open == 0 {
                users.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(user: Uuid) -> LiveItem {
        let now = chrono::Utc::now();
        LiveItem {
            item: inbox::Model {
                id: Uuid::now_v7(),
                user_id: user,
                delivery_id: Uuid::now_v7(),
                event_id: Uuid::now_v7().to_string(),
                event_name: "e".into(),
                category: "c".into(),
                title: "t".into(),
                body: "b".into(),
                created_at: now,
                read_at: None,
                archived_at: None,
            },
            unread: 1,
        }
    }

    #[tokio::test]
    async fn items_reach_their_owner_only_and_places_are_limited() {
        let (_stop, shutdown) = watch::channel(false);
        let (push, _router) = LivePush::start(LiveHub::in_process(), 2, shutdown);
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut first = push.open(alice).unwrap();
        let second = push.open(alice).unwrap();
        assert!(push.open(alice).is_err(), "a third stream of one user");
        let mut other = push.open(bob).unwrap();
        let sent = item(alice);
        push.publish(std::slice::from_ref(&sent));
        match first.receiver.recv().await.unwrap() {
            Delivery::Item(got) => assert_eq!(got.item.id, sent.item.id),
            Delivery::Gap(_) => panic!("a gap"),
        }
        assert!(other.receiver.try_recv().is_err(), "bob got alice's item");
        drop(second);
        assert!(push.open(alice).is_ok(), "a closed stream frees its place");
        assert_eq!(push.open_streams(), 2);
    }
}
