//! The interaction timeline: an append-only record of what happened with a customer (lead
//! changes, test drives, complaints, quotations, orders, payments), fed by events.
//!
//! Stored behind [`TimelineStore`]: SQL tables in the module's schema by default, MongoDB when
//! `analytics.mongo_url` is set. Both pass the same [`contract`] suite.

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

    /// Records an entry; an id already recorded changes nothing. A SQL store writes inside
    /// `txn` (atomic with the inbox record of the event); a store elsewhere writes directly and
    /// relies on the idempotence when the event is redelivered.
    async fn append(&self, txn: &WriteTxn, entry: &TimelineEntry) -> anyhow::Result<()>;

    /// Entries of one customer, newest first; `page` counts from 1.
    async fn list(
        &self,
        customer_id: Uuid,
        page: u64,
        page_size: u64,
    ) -> anyhow::Result<Page<TimelineEntry>>;
}
