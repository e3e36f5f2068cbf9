//! The sweep that flags overdue dealer invoices, once each: hourly in the background (stopping
//! with the process) and on demand.

use super::finance::InvoiceView;
use crate::store::{dealer_invoices, finance};
use contracts::{events::manufacturer::InvoiceOverdue, Money};
use kernel::{Db, DomainResult};
use std::time::Duration;
use tokio::sync::watch;

/// How often the background sweep runs.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(3600);

/// Flags each invoice past due with money outstanding once (a conditional update decides, so
/// two sweeps never both flag one) and publishes `invoice_overdue` in the same transaction.
/// Returns the invoices flagged now.
#[tracing::instrument(skip(db))]
pub async fn flag_overdue_invoices(db: &Db) -> DomainResult<Vec<InvoiceView>> {
    let today = chrono::Utc::now().date_naive();
    let mut flagged = Vec::new();
    for invoice in finance::overdue_unannounced(db.conn(), today).await? {
        if let Some(invoice) = flag_one(db, invoice).await? {
            flagged.push(invoice.into());
        }
    }
    Ok(flagged)
}

async fn flag_one(
    db: &Db,
    invoice: dealer_invoices::Model,
) -> DomainResult<Option<dealer_invoices::Model>> {
    let mut txn = db.begin().await?;
    if !finance::mark_overdue_announced(&*txn, invoice.id).await? {
        return Ok(None);
    }
    let event = InvoiceOverdue {
        invoice_id: invoice.id,
        invoice_number: invoice.number.clone(),
        dealer_id: invoice.dealer_id,
        outstanding: Money(invoice.amount - invoice.paid),
        due_date: invoice.due_date,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(Some(invoice))
}

/// The background sweep: every `period` until `shutdown` turns true.
pub async fn every(db: Db, period: Duration, mut shutdown: watch::Receiver<bool>) {
    let start = tokio::time::Instant::now() + period;
    let mut ticks = tokio::time::interval_at(start, period);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
                continue;
            }
        }
        match flag_overdue_invoices(&db).await {
            Ok(flagged) if !flagged.is_empty() => {
                tracing::info!(count = flagged.len(), "dealer invoices became overdue")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "overdue invoice sweep failed"),
        }
    }
}
