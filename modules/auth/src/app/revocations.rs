//! The durable revocation list: read by this process's verifier and, through the feed, by
//! processes without the auth module; expired entries pruned by a job.

use crate::store::revocations;
use kernel::{
    revocation::{next_cursor, Revocation, RevocationFeed, RevocationKind, RevocationSource},
    Db,
};
use std::time::Duration;
use tokio::sync::watch;

/// How often expired revocations are deleted.
pub const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// `auth.revocations` as the kernel's revocation source.
pub struct StoredRevocations(pub Db);

#[async_trait::async_trait]
impl RevocationSource for StoredRevocations {
    async fn revocations_since(&self, since: i64) -> anyhow::Result<RevocationFeed> {
        feed(&self.0, since).await
    }
}

/// Unexpired revocations recorded at or after `since` (unix ms), and the cursor to ask with next
/// (a little behind now, so that a transaction that commits late is still seen).
pub async fn feed(db: &Db, since: i64) -> anyhow::Result<RevocationFeed> {
    let now = chrono::Utc::now();
    let from = chrono::DateTime::from_timestamp_millis(since.max(0)).unwrap_or_default();
    let rows = revocations::since(db.conn(), from, now).await?;
    let items = rows
        .into_iter()
        .filter_map(|row| {
            Some(Revocation {
                kind: RevocationKind::parse(&row.kind)?,
                id: row.subject,
                expires_at: row.expires_at.timestamp(),
            })
        })
        .collect();
    Ok(RevocationFeed {
        items,
        cursor: next_cursor(now),
    })
}

/// Deletes expired revocations every [`PRUNE_EVERY`] until shutdown.
pub async fn prune_job(db: Db, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(PRUNE_EVERY) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
        if *shutdown.borrow() {
            return;
        }
        match prune(&db).await {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "expired revocations deleted"),
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "pruning revocations failed")
            }
        }
    }
}

/// Deletes the revocations whose tokens have all expired; how many.
pub async fn prune(db: &Db) -> anyhow::Result<u64> {
    let txn = db.begin().await?;
    let pruned = revocations::prune(&*txn, chrono::Utc::now()).await?;
    txn.commit().await?;
    Ok(pruned)
}
