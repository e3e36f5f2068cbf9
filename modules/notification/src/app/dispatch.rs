//! The dispatcher: claims due ledger rows, renders and sends them outside any transaction, and
//! records the outcome (sent, or failed with the next attempt backed off, or dead).
//! Woken when rows are queued, and polling as a fallback (rows queued by another process, retries
//! coming due).

use super::Notifications;
use crate::channels::{OutgoingMessage, SendError};
use crate::domain::{rendering, AfterFailure, Channel, REDACTED, SECRET_FIELDS};
use crate::store::deliveries::{self, Settlement};
use crate::store::now_ms;
use futures_util::StreamExt;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;
use uuid::Uuid;

/// Sends in flight at once per dispatcher.
const CONCURRENCY: usize = 8;

/// Runs until `shutdown` turns true.
pub async fn run(app: Arc<Notifications>, mut shutdown: watch::Receiver<bool>) {
    let poll = Duration::from_millis(app.settings.dispatch_poll_interval_ms.max(10));
    let batch = app.settings.dispatch_batch_size as usize;
    loop {
        if *shutdown.borrow() {
            break;
        }
        match dispatch_due(&app).await {
            Ok(claimed) if claimed >= batch => continue, // more may be waiting
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "notification dispatch failed"),
        }
        tokio::select! {
            // Woken only after the queuing transaction committed, so the rows are visible.
            () = app.wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break; // the process is going away
                }
            }
        }
    }
    tracing::debug!("notification dispatcher stopped");
}

/// Claims one batch of due rows and attempts each. Returns how many were claimed.
pub async fn dispatch_due(app: &Notifications) -> anyhow::Result<usize> {
    let token = Uuid::now_v7();
    let lease_ms =
        i64::try_from(app.settings.dispatch_lease_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let txn = app.db.begin().await?;
    let rows = deliveries::claim_due(
        &*txn,
        u64::from(app.settings.dispatch_batch_size),
        lease_ms,
        token,
    )
    .await?;
    txn.commit().await?;
    let claimed = rows.len();
    futures_util::stream::iter(rows)
        .for_each_concurrent(CONCURRENCY, |row| async move {
            let id = row.id;
            let outcome = attempt(app, row).await;
            if let Err(error) = record(app, id, token, outcome).await {
                tracing::warn!(?error, delivery = %id, "could not record a delivery attempt");
            }
        })
        .await;
    Ok(claimed)
}

async fn record(
    app: &Notifications,
    id: Uuid,
    token: Uuid,
    outcome: Settlement,
) -> anyhow::Result<()> {
    let txn = app.db.begin().await?;
    deliveries::settle(&*txn, id, token, outcome).await?;
    txn.commit().await?;
    Ok(())
}

/// The context with one-time secrets replaced, as kept once the message is out.
fn redacted(context: &serde_json::Value) -> serde_json::Value {
    let mut context = context.clone();
    if let Some(fields) = context.as_object_mut() {
        for field in SECRET_FIELDS {
            if let Some(value) = fields.get_mut(*field) {
                *value = serde_json::Value::from(REDACTED);
            }
        }
    }
    context
}

fn secret_spent(context: &serde_json::Value) -> bool {
    SECRET_FIELDS
        .iter()
        .any(|f| context.get(*f).and_then(|v| v.as_str()) == Some(REDACTED))
}

/// One attempt at one row.
async fn attempt(app: &Notifications, row: deliveries::Model) -> Settlement {
    let dead = |error: String| Settlement::Dead { error };
    let Ok(channel) = row.channel.parse::<Channel>() else {
        return dead(format!("unknown channel {}", row.channel));
    };
    let Some(provider) = app.providers.for_channel(channel) else {
        return dead("in-app messages are not sent by a provider".into());
    };
    let Some(address) = row.address.clone() else {
        return dead("no address".into());
    };
    if channel == Channel::Sms {
        // Quiet hours: a retry or resend coming due inside the window waits for its end.
        match super::quiet_hours::sms_deferred_until(app, &row).await {
            Ok(Some(until_ms)) => return Settlement::Deferred { until_ms },
            Ok(None) => {}
            Err(error) => return failed(app, &row, format!("{error:#}")),
        }
    }
    if secret_spent(&row.context) {
        return dead(
            "the one-time link in this message was already sent; request a new one".into(),
        );
    }
    let parts =
        match super::templates::effective(app.db.conn(), &row.event_name, channel, &row.locale)
            .await
        {
            Ok(parts) => parts,
            Err(error) => return failed(app, &row, error.to_string()),
        };
    // Sealed secrets are opened for this render only; the row keeps them sealed.
    let context =
        match super::sealed::opened(&app.sealer, &row.event_name, &row.event_id, &row.context) {
            Ok(context) => context,
            Err(error) => return dead(format!("sealed secret: {error}")),
        };
    let rendered = match rendering::render(&parts, &context) {
        Ok(rendered) => rendered,
        Err(error) => return dead(format!("template: {error}")),
    };
    let message = OutgoingMessage {
        delivery_id: row.id,
        channel,
        to: address,
        recipient_name: row
            .context
            .get("recipientName")
            .and_then(|v| v.as_str())
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        subject: rendered.subject.clone(),
        text: rendered.text,
        html: if channel == Channel::Email {
            rendered.html
        } else {
            None
        },
    };
    match provider.send(&message).await {
        Ok(provider_message_id) => Settlement::Sent {
            provider: provider.name().to_owned(),
            provider_message_id,
            subject: rendered.subject,
            context: redacted(&row.context),
        },
        Err(SendError::Permanent(error)) => dead(error),
        Err(SendError::Transient(error)) => failed(app, &row, error),
    }
}

fn failed(app: &Notifications, row: &deliveries::Model, error: String) -> Settlement {
    let attempts = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
    match app.retry_policy().after_failure(attempts) {
        AfterFailure::RetryIn(delay) => Settlement::Failed {
            error,
            retry_at_ms: now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
        },
        AfterFailure::Dead => Settlement::Dead { error },
    }
}
