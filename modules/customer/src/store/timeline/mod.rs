//! The interaction timeline: an append-only record of what happened with a customer (lead
//! changes, test drives, complaints, quotations, orders, payments), fed by events.
//!
//! Stored behind [`TimelineStore`]: SQL tables in the module's schema by default, MongoDB when
//! `analytics.mongo_url` is set. Both pass the same [`contract`] suite. With MongoDB the SQL
//! table is the staging area: entries are written there in the event's inbox transaction and
//! copied to MongoDB after the commit, so a MongoDB outage never holds a database transaction
//! (or SQLite's write lock) and no entry is lost or doubled.

pub mod contract;
pub mod mongo;
pub mod sql;

use kernel::{pagination::Page, WriteTxn};
use uuid::Uuid;

pub use crate::domain::timeline::TimelineEntry;

#[async_trait::async_trait]
pub trait TimelineStore: Send + Sync {
    /// Which implementation this is (`sql` or `mongodb`), for logs and readiness.
    fn backend(&self) -> &'static str;

    /// Records an entry; an id already recorded changes nothing. Every store writes inside
    /// `txn` only (atomic with the inbox record of the event) and never waits on another server
    /// there: a store elsewhere (MongoDB) stages the entry in the module's schema and
    /// [`forward`](Self::forward) copies it across after the commit.
    async fn append(&self, txn: &WriteTxn, entry: &TimelineEntry) -> anyhow::Result<()>;

    /// Copies committed, staged entries to where [`list`](Self::list) reads them, outside any
    /// database transaction; returns how many it moved (0: nothing waits). The SQL store
    /// stages nothing.
    async fn forward(&self) -> anyhow::Result<usize> {
        Ok(0)
    }

    /// Notified when an entry was staged, for the job that forwards; `None` when the store
    /// stages nothing.
    fn staged_signal(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }

    /// Entries of one customer, newest first; `page` counts from 1.
    async fn list(
        &self,
        customer_id: Uuid,
        page: u64,
        page_size: u64,
    ) -> anyhow::Result<Page<TimelineEntry>>;
}
