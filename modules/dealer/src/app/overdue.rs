//! The sweep that announces overdue instalments, once each: hourly in the background (stopping
//! with the process) and on demand.

use super::Services;
use crate::domain::sales_orders::SalesOrderStatus;
use crate::store::{instalments, sales_orders};
use contracts::events::dealer::InstalmentOverdue;
use kernel::{Caller, Db, DomainResult, Role};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How often the background sweep runs.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(3600);

/// Runs the sweep on demand: admins over every dealer, a manager over their own.
pub async fn check(services: &Services, caller: &Caller) -> DomainResult<usize> {
    let scope = if caller.role == Role::Admin {
        None
    } else {
        caller.dealer_id
    };
    announce_overdue(&services.db, scope).await
}

/// Publishes `instalment_overdue` once per instalment past due and not fully paid (of one
/// dealer, or all); a conditional update decides between racing sweeps. Returns how many were
/// announced now.
#[tracing::instrument(skip(db))]
pub async fn announce_overdue(db: &Db, dealer: Option<Uuid>) -> DomainResult<usize> {
    let today = chrono::Utc::now().date_naive();
    let mut announced = 0;
    for row in instalments::overdue_unannounced(db.conn(), today).await? {
        let Some(order) = sales_orders::find(db.conn(), row.order_id).await? else {
            continue;
        };
        if order.status == SalesOrderStatus::Cancelled
            || dealer.is_some_and(|d| d != order.dealer_id)
        {
            continue;
        }
        let mut txn = db.begin().await?;
        if !instalments::mark_overdue_announced(&*txn, row.id).await? {
            continue;
        }
        let event = InstalmentOverdue {
            order_id: order.id,
            dealer_id: order.dealer_id,
            customer_id: order.customer_id,
            instalment_number: row.number,
            due_date: row.due_date,
            amount_due: row.instalment().due()?,
        };
        kernel::events::publish(&mut txn, &event).await?;
        txn.commit().await?;
        announced += 1;
    }
    Ok(announced)
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
        if let Err(error) = announce_overdue(&db, None).await {
            tracing::warn!(?error, "overdue instalment sweep failed");
        }
    }
}
