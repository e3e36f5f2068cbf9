//! The interaction timeline of a customer: read, and fed from events.

use super::{customers::visible, Services};
use crate::domain::timeline::TimelineEntry;
use kernel::{pagination::Page, Caller, DomainResult};
use uuid::Uuid;

/// What happened with the customer, newest first.
pub async fn list(
    services: &Services,
    caller: &Caller,
    customer_id: Uuid,
    page: u64,
    page_size: u64,
) -> DomainResult<Page<TimelineEntry>> {
    let customer = visible(services.db.conn(), caller, customer_id).await?;
    Ok(services.timeline.list(customer.id, page, page_size).await?)
}

/// The job that copies staged timeline entries to their store (MongoDB) after their commit:
/// woken by each staged entry, polling as a fallback, backing off while the store fails (the
/// entries stay staged; nothing else waits). Returns when the process stops.
pub async fn forward_until_stopped(
    store: std::sync::Arc<dyn crate::store::timeline::TimelineStore>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    use std::time::Duration;
    let Some(staged) = store.staged_signal() else {
        return;
    };
    let mut failures: u32 = 0;
    loop {
        if *shutdown.borrow() {
            return;
        }
        match drain(store.as_ref()).await {
            Ok(_) => failures = 0,
            Err(error) => {
                failures = failures.saturating_add(1);
                let wait = Duration::from_millis(200u64.saturating_mul(1 << failures.min(8)));
                tracing::warn!(error = %format!("{error:#}"), retry_in_ms = wait.as_millis() as u64,
                    "copying timeline entries failed; they stay staged");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
        }
        tokio::select! {
            // The wake-up comes from inside the inbox transaction: give it a moment to commit.
            _ = staged.notified() => tokio::time::sleep(Duration::from_millis(10)).await,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            changed = shutdown.changed() => if changed.is_err() { return },
        }
    }
}

/// Forwards until nothing is staged; returns how many entries moved.
pub async fn drain(store: &dyn crate::store::timeline::TimelineStore) -> anyhow::Result<usize> {
    let mut moved = 0;
    loop {
        let n = store.forward().await?;
        moved += n;
        if n == 0 {
            return Ok(moved);
        }
    }
}
