//! The durable revocation list every process checks tokens against.
//!
//! The auth module stores each revocation (an access token's `jti`, or a whole session) in its
//! schema until the last token it covers expires. Every process that verifies tokens keeps the
//! unexpired revocations in memory ([`RevocationList`]) and refreshes them incrementally from a
//! [`RevocationSource`]: the auth store itself where the auth module runs, the auth service's
//! `GET /api/v1/auth/revocations` feed elsewhere ([`HttpRevocationSource`]).
//!
//! Propagation: the process that revokes knows at once; Redis, when configured and up, tells
//! every other process at once too; otherwise another process learns it within one refresh
//! interval (`auth.revocation_refresh_ms`, 1 s by default) plus the feed's round trip. Each
//! incremental read looks [`LOOKBACK`] behind the last one (slow commits, clock skew between
//! processes), and the whole list is read again every [`FULL_RELOAD`].

use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};
use uuid::Uuid;

/// How far behind its previous read an incremental read starts.
pub const LOOKBACK: Duration = Duration::from_secs(30);
/// How often the whole list is read again (and what expired is dropped).
pub const FULL_RELOAD: Duration = Duration::from_secs(300);

/// What a revocation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationKind {
    /// One access token, by its `jti`.
    Token,
    /// Every access token of a session (`sid`).
    Session,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Session => "session",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "token" => Some(Self::Token),
            "session" => Some(Self::Session),
            _ => None,
        }
    }
}

/// One revoked token or session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub kind: RevocationKind,
    /// The `jti` or the session id.
    pub id: String,
    /// Unix seconds after which no token it covers is accepted anyway.
    pub expires_at: i64,
}

/// A page of the feed: the revocations recorded since the cursor asked for, and the cursor to
/// ask with next.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationFeed {
    pub items: Vec<Revocation>,
    /// Unix milliseconds; pass as `since` next time.
    pub cursor: i64,
}

/// Where revocations are read from (implemented by the auth module, and over HTTP).
#[async_trait::async_trait]
pub trait RevocationSource: Send + Sync {
    /// Unexpired revocations recorded at or after `since` (unix ms; 0 = all of them).
    async fn revocations_since(&self, since: i64) -> anyhow::Result<RevocationFeed>;
}

/// The cursor a source answers with: [`LOOKBACK`] before `now`.
pub fn next_cursor(now: chrono::DateTime<chrono::Utc>) -> i64 {
    let lookback = i64::try_from(LOOKBACK.as_millis()).unwrap_or(i64::MAX);
    now.timestamp_millis().saturating_sub(lookback).max(0)
}

struct Progress {
    cursor: i64,
    last_full: Option<Instant>,
    last_warning: Option<Instant>,
}

/// The unexpired revocations, in memory, kept up to date from a [`RevocationSource`].
pub struct RevocationList {
    source: Arc<dyn RevocationSource>,
    entries: RwLock<HashMap<(RevocationKind, String), i64>>,
    progress: Mutex<Progress>,
}

impl RevocationList {
    pub fn new(source: Arc<dyn RevocationSource>) -> Self {
        Self {
            source,
            entries: RwLock::new(HashMap::new()),
            progress: Mutex::new(Progress {
                cursor: 0,
                last_full: None,
                last_warning: None,
            }),
        }
    }

    /// Adds revocations known here first (the process that revoked need not wait for a read).
    pub fn insert(&self, revocations: impl IntoIterator<Item = Revocation>) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        for r in revocations {
            entries.insert((r.kind, r.id), r.expires_at);
        }
    }

    /// Whether the token `jti` or its session is revoked.
    pub fn contains(&self, jti: &str, session: Option<Uuid>) -> bool {
        let now = chrono::Utc::now().timestamp();
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let live = |key: &(RevocationKind, String)| entries.get(key).is_some_and(|e| *e >= now);
        live(&(RevocationKind::Token, jti.to_owned()))
            || session.is_some_and(|s| live(&(RevocationKind::Session, s.to_string())))
    }

    /// Reads what was revoked since the last read (everything, every [`FULL_RELOAD`]).
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let (since, full) = {
            let progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
            let full = progress
                .last_full
                .is_none_or(|t| t.elapsed() >= FULL_RELOAD);
            (if full { 0 } else { progress.cursor }, full)
        };
        let feed = self.source.revocations_since(since).await?;
        let now = chrono::Utc::now().timestamp();
        {
            let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
            if full {
                entries.retain(|_, expires| *expires >= now);
            }
            for r in feed.items {
                entries.insert((r.kind, r.id), r.expires_at);
            }
        }
        let mut progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
        progress.cursor = feed.cursor;
        if full {
            progress.last_full = Some(Instant::now());
        }
        Ok(())
    }

    /// How many revocations are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Refreshes every `every` until shutdown; failures are logged (at most every 30 s) and
    /// retried at the next tick, while the list keeps what it has.
    pub fn spawn(
        self: &Arc<Self>,
        every: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let list = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = shutdown.changed() => {}
                }
                if *shutdown.borrow() {
                    return;
                }
                if let Err(error) = list.refresh().await {
                    list.warn(&error);
                }
            }
        })
    }

    fn warn(&self, error: &anyhow::Error) {
        let mut progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
        if progress
            .last_warning
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(30))
        {
            progress.last_warning = Some(Instant::now());
            tracing::warn!(error = %format!("{error:#}"), "refreshing the revocation list failed; checking tokens against the last copy");
        }
    }
}

/// The auth service's revocation feed, for processes without the auth module.
pub struct HttpRevocationSource {
    url: String,
    key: String,
    client: reqwest::Client,
}

impl HttpRevocationSource {
    /// `url` is the feed (`…/api/v1/auth/revocations`); `key` the shared internal key.
    pub fn new(url: String, key: String) -> Self {
        Self {
            url,
            key,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        }
    }
}

#[async_trait::async_trait]
impl RevocationSource for HttpRevocationSource {
    async fn revocations_since(&self, since: i64) -> anyhow::Result<RevocationFeed> {
        Ok(self
            .client
            .get(&self.url)
            .query(&[("since", since)])
            .header(crate::internal::HEADER, &self.key)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Mutex<Vec<(i64, Revocation)>>);

    #[async_trait::async_trait]
    impl RevocationSource for Fixed {
        async fn revocations_since(&self, since: i64) -> anyhow::Result<RevocationFeed> {
            let items = self.0.lock().unwrap();
            Ok(RevocationFeed {
                items: items
                    .iter()
                    .filter(|(at, _)| *at >= since)
                    .map(|(_, r)| r.clone())
                    .collect(),
                cursor: items.iter().map(|(at, _)| *at).max().unwrap_or(0),
            })
        }
    }

    fn session(id: Uuid, expires_at: i64) -> Revocation {
        Revocation {
            kind: RevocationKind::Session,
            id: id.to_string(),
            expires_at,
        }
    }

    #[tokio::test]
    async fn a_refresh_learns_new_revocations_and_ignores_expired_ones() {
        let later = chrono::Utc::now().timestamp() + 60;
        let (a, b, old) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let source = Arc::new(Fixed(Mutex::new(vec![(1, session(a, later))])));
        let list = RevocationList::new(source.clone());
        assert!(!list.contains("jti", Some(a)));
        list.refresh().await.unwrap();
        assert!(list.contains("jti", Some(a)));
        source.0.lock().unwrap().push((2, session(b, later)));
        source.0.lock().unwrap().push((3, session(old, 1)));
        list.refresh().await.unwrap();
        assert!(list.contains("other", Some(b)));
        assert!(!list.contains("other", Some(old)), "expired");
        assert!(!list.contains("other", None));
        list.insert([Revocation {
            kind: RevocationKind::Token,
            id: "t1".into(),
            expires_at: later,
        }]);
        assert!(list.contains("t1", None));
    }
}
