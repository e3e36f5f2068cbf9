//! The one way into the read models: every consumed event becomes facts, queued in the inbox
//! transaction (so a redelivered event queues nothing twice) for the projector to apply.

use crate::domain::facts::{facts_of, CONSUMED};
use crate::store::queue;
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use std::sync::Arc;
use tokio::sync::Notify;

pub struct FactFeed {
    pub wake: Arc<Notify>,
}

#[async_trait::async_trait]
impl EventHandler for FactFeed {
    fn name(&self) -> &'static str {
        "report.facts"
    }
    fn schema(&self) -> &'static str {
        contracts::modules::REPORT
    }
    fn events(&self) -> &'static [&'static str] {
        CONSUMED
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let facts = facts_of(event)?;
        if facts.is_empty() {
            return Ok(());
        }
        queue::enqueue(txn, &facts).await?;
        self.wake.notify_one();
        Ok(())
    }
}
