//! The daily digest: every user with held emails gets ONE email listing them (the `digest`
//! template in their language); the held rows are then sent, carrying the digest's provider
//! message id. Runs at `notification.digest_hour_utc` and when an admin asks. Several processes
//! may run it at once: each user's rows are claimed by one conditional update, so every held
//! row goes in exactly one digest.

use super::Notifications;
use crate::channels::{OutgoingMessage, SendError};
use crate::domain::{
    digest::{self, Item},
    rendering, AfterFailure, Channel,
};
use crate::store::{
    deliveries::{self, Settlement},
    held, people,
};
use chrono::{DateTime, Utc};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;
use uuid::Uuid;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestRun {
    /// Digest emails sent.
    pub digests: usize,
    /// Held messages they carried.
    pub messages: usize,
    /// Users whose digest could not go now (kept held for the next run).
    pub held_back: usize,
    /// Users whose digest was refused for good (its messages are dead).
    pub refused: usize,
}

/// What became of one user's digest.
enum Outcome {
    Nothing,
    Sent(usize),
    HeldBack,
    Refused,
}

/// Sends every pending digest now.
pub async fn send_digests(app: &Notifications, now: DateTime<Utc>) -> anyhow::Result<DigestRun> {
    let mut run = DigestRun::default();
    for user_id in held::users_with_held(app.db.conn()).await? {
        match send_one(app, user_id, now).await {
            Ok(Outcome::Nothing) => {}
            Ok(Outcome::Sent(messages)) => {
                run.digests += 1;
                run.messages += messages;
            }
            Ok(Outcome::HeldBack) => run.held_back += 1,
            Ok(Outcome::Refused) => run.refused += 1,
            Err(error) => {
                tracing::warn!(?error, user = %user_id, "could not send a digest");
                run.held_back += 1;
            }
        }
    }
    Ok(run)
}

async fn send_one(
    app: &Notifications,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let token = Uuid::now_v7();
    let lease_ms =
        i64::try_from(app.settings.dispatch_lease_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let txn = app.db.begin().await?;
    let rows = held::claim(&*txn, user_id, lease_ms, token).await?;
    txn.commit().await?;
    if rows.is_empty() {
        return Ok(Outcome::Nothing); // another run took them
    }
    let (settlements, outcome) = match compose_and_send(app, user_id, &rows, now).await {
        Ok((provider, message_id, subjects)) => {
            let sent = rows
                .iter()
                .zip(subjects)
                .map(|(row, subject)| Settlement::Sent {
                    provider: provider.to_owned(),
                    provider_message_id: message_id.clone(),
                    subject,
                    context: row.context.clone(),
                })
                .collect();
            (sent, Outcome::Sent(rows.len()))
        }
        Err(SendError::Transient(error)) => (
            rows.iter()
                .map(|_| Settlement::Held {
                    error: error.clone(),
                })
                .collect(),
            Outcome::HeldBack,
        ),
        Err(SendError::Permanent(error)) => (
            rows.iter()
                .map(|_| Settlement::Dead {
                    error: error.clone(),
                })
                .collect::<Vec<_>>(),
            Outcome::Refused,
        ),
    };
    let txn = app.db.begin().await?;
    for (row, settlement) in rows.iter().zip(settlements) {
        deliveries::settle(&*txn, row.id, token, settlement).await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

/// Renders each held message and the digest around them, and sends it. Returns the provider,
/// its message id and each held message's subject.
async fn compose_and_send(
    app: &Notifications,
    user_id: Uuid,
    rows: &[deliveries::Model],
    now: DateTime<Utc>,
) -> Result<(&'static str, String, Vec<String>), SendError> {
    let db = app.db.conn();
    let transient = |error: anyhow::Error| SendError::Transient(format!("{error:#}"));
    let user = people::user(db, user_id)
        .await
        .map_err(|e| transient(e.into()))?
        .ok_or_else(|| SendError::Permanent("the recipient is no longer active".into()))?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let parts = super::templates::effective(db, &row.event_name, Channel::Email, &row.locale)
            .await
            .map_err(transient)?;
        // A message whose template no longer renders is still listed, by its event.
        let (subject, text) = match rendering::render(&parts, &row.context) {
            Ok(rendered) => (rendered.subject, rendered.text),
            Err(_) => (row.event_name.clone(), String::new()),
        };
        items.push(Item {
            event: row.event_name.clone(),
            category: row.category.clone(),
            subject,
            text,
            created_at: row.created_at,
        });
    }
    let locale = app.locale_for(Some(&user.locale));
    let parts = super::templates::effective(db, digest::TEMPLATE, Channel::Email, &locale)
        .await
        .map_err(transient)?;
    let context = rendering::context(
        &digest::payload(&items, now),
        &user.name,
        &app.settings.public_base_url,
    );
    let rendered = rendering::render(&parts, &context)
        .map_err(|e| SendError::Transient(format!("digest template: {e}")))?;
    let provider = &app.providers.email;
    let message = OutgoingMessage {
        delivery_id: Uuid::now_v7(),
        channel: Channel::Email,
        to: user.email,
        recipient_name: Some(user.name).filter(|n| !n.is_empty()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    };
    let message_id = provider.send(&message).await?;
    Ok((
        provider.name(),
        message_id,
        items.into_iter().map(|i| i.subject).collect(),
    ))
}

/// Sends the digests every day at `notification.digest_hour_utc` until the process stops; a
/// run that had to hold some back is retried with the dispatcher's backoff.
pub async fn daily(app: Arc<Notifications>, mut shutdown: watch::Receiver<bool>) {
    let hour = app.settings.digest_hour_utc;
    let mut failed_runs = 0u32;
    loop {
        let now = Utc::now();
        let Some(next) = digest::next_run(now, hour) else {
            return;
        };
        let until_next = (next - now).to_std().unwrap_or_default();
        let wait = if failed_runs == 0 {
            until_next
        } else {
            match app.retry_policy().after_failure(failed_runs) {
                AfterFailure::RetryIn(delay) => delay.min(until_next),
                AfterFailure::Dead => {
                    failed_runs = 0; // out of retries: the next scheduled run tries again
                    until_next
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
            changed = shutdown.changed() => if changed.is_err() || *shutdown.borrow() { break },
        }
        match send_digests(&app, Utc::now()).await {
            Ok(run) if run.held_back == 0 => failed_runs = 0,
            Ok(run) => {
                failed_runs = failed_runs.saturating_add(1);
                tracing::warn!(?run, "some digests could not be sent; retrying");
            }
            Err(error) => {
                failed_runs = failed_runs.saturating_add(1);
                tracing::warn!(?error, "the digest run failed");
            }
        }
    }
    tracing::debug!("digest scheduler stopped");
}
