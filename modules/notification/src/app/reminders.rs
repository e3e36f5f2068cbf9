//! Reminders: kept from the events the module receives (instalment plans and payments, test
//! drives booked, cancelled or done), and a sweep that turns the due ones into ledger rows
//! through the same routing and fan-out as real events, under a deterministic event id.

use super::{fanout, Notifications};
use crate::domain::reminders::{
    self as rules, InstalmentDueSoon, Sweep, TestDriveReminder, Timing,
};
use crate::store::{now_ms, people, reminders};
use contracts::events::{customer, dealer};
use contracts::IntegrationEvent;
use kernel::events::EventEnvelope;
use sea_orm::{ConnectionTrait, Set};
use serde::Serialize;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;
use uuid::Uuid;

/// Reminders fired per sweep transaction.
const SWEEP_BATCH: u64 = 100;

/// Records, moves or cancels the reminders `event` implies (inside its inbox transaction).
pub async fn track(
    app: &Notifications,
    db: &impl ConnectionTrait,
    event: &EventEnvelope,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match event.name.as_str() {
        dealer::SalesOrderCreated::NAME => {
            let order: dealer::SalesOrderCreated = event.decode()?;
            let plan: Vec<_> = order
                .instalments
                .iter()
                .map(|i| (i.number, i.amount))
                .collect();
            let settled_by = rules::settled_by(&plan);
            let days = app.settings.instalment_reminder_days;
            for instalment in &order.instalments {
                let Some(timing) = rules::instalment_timing(instalment.due_date, days, now) else {
                    continue;
                };
                let reminder = InstalmentDueSoon {
                    order_id: order.order_id,
                    order_number: order.order_number.clone(),
                    dealer_id: order.dealer_id,
                    customer_id: order.customer_id,
                    instalment_number: instalment.number,
                    due_date: instalment.due_date,
                    amount_due: instalment.amount,
                };
                let threshold = settled_by
                    .iter()
                    .find(|(number, _)| *number == instalment.number)
                    .map(|(_, paid_total)| *paid_total);
                let key = rules::instalment_key(order.order_id, instalment.number);
                record(db, &key, order.order_id, &reminder, timing, threshold).await?;
            }
        }
        dealer::PaymentReceived::NAME => {
            let payment: dealer::PaymentReceived = event.decode()?;
            reminders::cancel_settled(db, payment.order_id, payment.paid_total.0).await?;
        }
        dealer::SalesOrderCancelled::NAME => {
            let cancelled: dealer::SalesOrderCancelled = event.decode()?;
            reminders::cancel_subject(db, cancelled.order_id).await?;
        }
        customer::TestDriveScheduled::NAME => {
            let drive: customer::TestDriveScheduled = event.decode()?;
            let hours = app.settings.test_drive_reminder_hours;
            let Some(timing) = rules::test_drive_timing(drive.starts_at, hours, now) else {
                return Ok(());
            };
            // The salesperson who booked it, else the one looking after the customer.
            let staff_id = match drive.staff_id {
                Some(staff) => Some(staff),
                None => people::customer(db, drive.customer_id)
                    .await?
                    .and_then(|c| c.owner_id),
            };
            let reminder = TestDriveReminder {
                test_drive_id: drive.test_drive_id,
                dealer_id: drive.dealer_id,
                branch_id: drive.branch_id,
                customer_id: drive.customer_id,
                variant_id: drive.variant_id,
                staff_id,
                starts_at: drive.starts_at,
                ends_at: drive.ends_at,
            };
            let key = rules::test_drive_key(drive.test_drive_id);
            record(db, &key, drive.test_drive_id, &reminder, timing, None).await?;
        }
        customer::TestDriveCancelled::NAME => {
            let cancelled: customer::TestDriveCancelled = event.decode()?;
            reminders::cancel_subject(db, cancelled.test_drive_id).await?;
        }
        customer::TestDriveCompleted::NAME => {
            let completed: customer::TestDriveCompleted = event.decode()?;
            reminders::cancel_subject(db, completed.test_drive_id).await?;
        }
        _ => {}
    }
    Ok(())
}

async fn record<E: IntegrationEvent + Serialize>(
    db: &impl ConnectionTrait,
    key: &str,
    subject_id: Uuid,
    reminder: &E,
    timing: Timing,
    settled_by_paid_total: Option<i64>,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    reminders::insert_once(
        db,
        reminders::ActiveModel {
            id: Set(Uuid::now_v7()),
            reminder_key: Set(key.to_owned()),
            kind: Set(E::NAME.to_owned()),
            subject_id: Set(subject_id),
            payload: Set(serde_json::to_value(reminder)?),
            fire_at: Set(timing.fire_at.timestamp_millis()),
            expires_at: Set(timing.expires_at.timestamp_millis()),
            settled_by_paid_total: Set(settled_by_paid_total),
            status: Set(reminders::PENDING.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            fired_at: Set(None),
        },
    )
    .await?;
    Ok(())
}

/// Fires the due reminders, one batch per transaction: each becomes ledger rows and is marked
/// fired in the same commit. Another process sweeping at once skips the locked rows
/// (Postgres) or waits for the commit (SQLite), and the deterministic event id would make a
/// second firing queue nothing anyway. Returns how many fired.
pub async fn sweep(app: &Notifications) -> anyhow::Result<usize> {
    let mut fired = 0;
    loop {
        let mut txn = app.db.begin().await?;
        let now = now_ms();
        let due = reminders::due(&*txn, now, SWEEP_BATCH).await?;
        let batch = due.len();
        for reminder in due {
            match rules::sweep_action(reminder.fire_at, reminder.expires_at, now) {
                Sweep::NotYet => continue,
                Sweep::Expired => {
                    reminders::settle(&*txn, reminder.id, reminders::EXPIRED).await?;
                }
                Sweep::Fire => {
                    fanout::queue(app, &mut txn, &envelope_of(&reminder)).await?;
                    reminders::settle(&*txn, reminder.id, reminders::FIRED).await?;
                    fired += 1;
                }
            }
        }
        txn.commit().await?;
        if (batch as u64) < SWEEP_BATCH {
            return Ok(fired);
        }
    }
}

/// The event a reminder becomes.
fn envelope_of(reminder: &reminders::Model) -> EventEnvelope {
    EventEnvelope {
        id: rules::event_id(&reminder.reminder_key, reminder.fire_at),
        name: reminder.kind.clone(),
        occurred_at: chrono::Utc::now(),
        source: contracts::modules::NOTIFICATION.to_owned(),
        aggregate_id: reminder.subject_id.to_string(),
        correlation_id: None,
        payload: reminder.payload.clone(),
    }
}

/// Sweeps every `notification.reminder_sweep_interval_ms` until `shutdown` turns true.
pub async fn run(app: Arc<Notifications>, mut shutdown: watch::Receiver<bool>) {
    let interval = Duration::from_millis(app.settings.reminder_sweep_interval_ms.max(10));
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(error) = sweep(&app).await {
            tracing::warn!(?error, "reminder sweep failed");
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    tracing::debug!("reminder sweep stopped");
}
