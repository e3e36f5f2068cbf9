//! Following one's own notifications live: what the stream endpoint sends, in order — the items
//! missed since the last one seen (replayed from the inbox), then new ones as they commit, with
//! no duplicates and no gap. The live subscription starts BEFORE the replay is read, so an item
//! committed in between is both replayed and received live: the live copy is dropped by id.

use super::{
    live::{Delivery, LiveItem, Subscription, TooManyStreams, GAP_SLACK_SECS},
    Notifications,
};
use crate::store::inbox;
use std::{
    collections::{HashSet, VecDeque},
    sync::Arc,
};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// Items read from the inbox per query when replaying or catching up.
const PAGE: u64 = 200;
/// Ids of items already sent that are remembered to drop duplicates after a catch-up.
const REMEMBERED: usize = 1024;

/// What the stream sends next.
#[derive(Debug, Clone)]
pub enum FeedEvent {
    Notification(inbox::Model),
    /// The user's unread count (after the notification before it).
    Unread(u64),
}

/// Ids already sent, the most recent [`REMEMBERED`] of them.
#[derive(Default)]
struct Sent {
    ids: HashSet<Uuid>,
    order: VecDeque<Uuid>,
}

impl Sent {
    /// Records `id`; false when it was sent already.
    fn insert(&mut self, id: Uuid) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > REMEMBERED {
            if let Some(oldest) = self.order.pop_front() {
                self.ids.remove(&oldest);
            }
        }
        true
    }
}

/// One user's live feed.
pub struct Feed {
    app: Arc<Notifications>,
    user: Uuid,
    subscription: Subscription,
    sent: Sent,
    pending: VecDeque<FeedEvent>,
    /// Set when items may have been missed: catch up from the inbox from this time on.
    /// Cleared only once the catch-up is queued, so a cancelled `next` repeats it.
    catch_up_since: Option<chrono::DateTime<chrono::Utc>>,
    last_received: chrono::DateTime<chrono::Utc>,
}

/// Why a feed cannot open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    TooMany(#[from] TooManyStreams),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Opens `user`'s feed; with `last_seen`, the items after it come first (oldest first).
pub async fn open(
    app: &Arc<Notifications>,
    user: Uuid,
    last_seen: Option<Uuid>,
) -> Result<Feed, OpenError> {
    let subscription = app.live.open(user)?;
    let mut feed = Feed {
        app: app.clone(),
        user,
        subscription,
        sent: Sent::default(),
        pending: VecDeque::new(),
        catch_up_since: None,
        last_received: chrono::Utc::now(),
    };
    if let Some(mut after) = last_seen {
        loop {
            let page = inbox::after(app.db.conn(), user, after, PAGE).await?;
            let full = page.len() as u64 == PAGE;
            for item in page {
                after = item.id;
                feed.queue(item);
            }
            if !full {
                break;
            }
        }
        let unread = inbox::unread_count(app.db.conn(), user).await?;
        feed.pending.push_back(FeedEvent::Unread(unread));
    }
    Ok(feed)
}

impl Feed {
    fn queue(&mut self, item: inbox::Model) -> bool {
        let new = self.sent.insert(item.id);
        if new {
            self.pending.push_back(FeedEvent::Notification(item));
        }
        new
    }

    fn receive(&mut self, live: &LiveItem) {
        self.last_received = chrono::Utc::now();
        if self.queue(live.item.clone()) {
            self.pending.push_back(FeedEvent::Unread(live.unread));
        }
    }

    /// The next event; `None` when the live source closed. Cancel-safe.
    pub async fn next(&mut self) -> Result<Option<FeedEvent>, sea_orm::DbErr> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(Some(event));
            }
            if let Some(since) = self.catch_up_since {
                self.catch_up(since).await?;
                self.catch_up_since = None;
                continue;
            }
            match self.subscription.receiver.recv().await {
                Ok(Delivery::Item(live)) => self.receive(&live),
                Ok(Delivery::Gap(since)) => self.missed(since),
                Err(RecvError::Lagged(_)) => {
                    let since = self.last_received - chrono::Duration::seconds(GAP_SLACK_SECS);
                    self.missed(since);
                }
                Err(RecvError::Closed) => return Ok(None),
            }
        }
    }

    fn missed(&mut self, since: chrono::DateTime<chrono::Utc>) {
        let since = self
            .catch_up_since
            .map_or(since, |earlier| earlier.min(since));
        self.catch_up_since = Some(since);
    }

    async fn catch_up(
        &mut self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), sea_orm::DbErr> {
        let app = self.app.clone();
        let db = app.db.conn();
        let items = inbox::created_since(db, self.user, since, PAGE).await?;
        let mut any = false;
        for item in items {
            any |= self.queue(item);
        }
        if any {
            let unread = inbox::unread_count(db, self.user).await?;
            self.pending.push_back(FeedEvent::Unread(unread));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_ids_are_remembered_up_to_a_bound() {
        let mut sent = Sent::default();
        let first = Uuid::now_v7();
        assert!(sent.insert(first));
        assert!(!sent.insert(first));
        for _ in 0..REMEMBERED {
            sent.insert(Uuid::now_v7());
        }
        assert!(
            sent.insert(first),
            "forgotten after {REMEMBERED} newer ones"
        );
        assert_eq!(sent.order.len(), REMEMBERED);
    }
}
