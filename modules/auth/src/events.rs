//! Handlers for the events the auth module consumes. Each runs inside its inbox transaction, so
//! a redelivered event has no second effect; each only decodes and calls a use case.

use crate::app::directory;
use contracts::{events::dealer, IntegrationEvent};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};

/// Learns which dealer each branch belongs to (users' `branchId` is checked against it).
pub struct BranchDirectory;

#[async_trait::async_trait]
impl EventHandler for BranchDirectory {
    fn name(&self) -> &'static str {
        "auth.branch_directory"
    }
    fn schema(&self) -> &'static str {
        contracts::modules::AUTH
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::BranchOpened::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let opened: dealer::BranchOpened = event.decode()?;
        Ok(directory::branch_opened(&**txn, opened.branch_id, opened.dealer_id).await?)
    }
}
