//! Moves facts from the queue into the store. For the SQL store the facts are applied in the
//! transaction that takes them off the queue (exactly once). For another store (MongoDB) they
//! are applied first, outside any database transaction, and removed after: a store outage leaves
//! them queued, retried with backoff, and never blocks other writes of the process.

use crate::store::{queue, ReportStore};
use kernel::Db;
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// Facts taken per round.
pub const BATCH: u64 = 500;

pub struct Projector {
    pub db: Db,
    pub store: Arc<dyn ReportStore>,
    pub wake: Arc<Notify>,
}

impl Projector {
    /// Applies one batch; returns how many facts it moved.
    #[tracing::instrument(skip_all)]
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        if self.store.shares_database() {
            let txn = self.db.begin().await?;
            let batch = queue::claim(&*txn, BATCH, true).await?;
            if batch.is_empty() {
                return Ok(0);
            }
            let facts: Vec<_> = batch.iter().map(|(_, f)| f.clone()).collect();
            self.store.apply(Some(&txn), &facts).await?;
            let seqs: Vec<i64> = batch.iter().map(|(s, _)| *s).collect();
            queue::remove(&*txn, &seqs).await?;
            txn.commit().await?;
            Ok(seqs.len())
        } else {
            let batch = queue::claim(self.db.conn(), BATCH, false).await?;
            if batch.is_empty() {
                return Ok(0);
            }
            let facts: Vec<_> = batch.iter().map(|(_, f)| f.clone()).collect();
            self.store.apply(None, &facts).await?;
            let seqs: Vec<i64> = batch.iter().map(|(s, _)| *s).collect();
            let txn = self.db.begin().await?;
            queue::remove(&*txn, &seqs).await?;
            txn.commit().await?;
            Ok(seqs.len())
        }
    }

    /// Drains the queue until it is empty.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut moved = 0;
        loop {
            let n = self.run_once().await?;
            moved += n;
            if n == 0 {
                return Ok(moved);
            }
        }
    }

    /// Runs until the process stops: woken by the event handlers, polling as a fallback, backing
    /// off while the store fails.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut failures: u32 = 0;
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.drain().await {
                Ok(_) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let wait = Duration::from_millis(200u64.saturating_mul(1 << failures.min(8)));
                    tracing::warn!(error = %format!("{error:#}"), retry_in_ms = wait.as_millis() as u64, "report projection failed; facts stay queued");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            }
            tokio::select! {
                // A wake-up comes from inside a handler's transaction: give it a moment to
                // commit (and more facts to arrive) before draining.
                _ = self.wake.notified() => tokio::time::sleep(Duration::from_millis(10)).await,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                changed = shutdown.changed() => if changed.is_err() { return },
            }
        }
    }
}
