//! Consuming events: the handler's effect and the inbox record `(event_id, handler)` commit in
//! ONE transaction in the consumer's schema, so a redelivered event has no second effect.

use super::{now_ms, sql::stmt, EventEnvelope};
use crate::{
    db::{Db, WriteTxn},
    metrics::Metrics,
};
use anyhow::Context;
use sea_orm::ConnectionTrait;

/// A consumer of integration events.
#[async_trait::async_trait]
pub trait EventHandler: Send + Sync {
    /// Stable, unique name recorded in the inbox, e.g. `notification.welcome_mail`.
    fn name(&self) -> &'static str;
    /// The consuming module's schema, which holds the inbox.
    fn schema(&self) -> &'static str;
    /// The registered event names this handler wants.
    fn events(&self) -> &'static [&'static str];
    /// Applies the event inside `txn` (which may also publish follow-up events).
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()>;
}

/// Whether the delivery did something or was a recognised redelivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Handled,
    Duplicate,
}

/// Runs `handler` for `event` at most once (per committed inbox record).
#[tracing::instrument(skip_all, fields(handler = handler.name(), event = %event.name, event_id = %event.id))]
pub async fn handle_once(
    db: &Db,
    handler: &dyn EventHandler,
    event: &EventEnvelope,
    metrics: Option<&Metrics>,
) -> anyhow::Result<Outcome> {
    let mut txn = db.begin().await.context("opening the inbox transaction")?;
    let schema = handler.schema();
    let sql = format!(
        "INSERT INTO \"{schema}\".\"inbox\" (event_id, handler, event_name, processed_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (event_id, handler) DO NOTHING"
    );
    let claimed = txn
        .execute(stmt(
            txn.get_database_backend(),
            &sql,
            vec![
                event.id.to_string().into(),
                handler.name().into(),
                event.name.clone().into(),
                now_ms().into(),
            ],
        ))
        .await
        .context("recording the event in the inbox")?
        .rows_affected();
    if claimed == 0 {
        txn.rollback().await.ok();
        if let Some(m) = metrics {
            m.events_duplicate
                .with_label_values(&[handler.name(), &event.name])
                .inc();
        }
        tracing::debug!("already handled; skipped");
        return Ok(Outcome::Duplicate);
    }
    handler.handle(&mut txn, event).await?;
    txn.commit()
        .await
        .context("committing the handler's effect")?;
    if let Some(m) = metrics {
        m.events_handled
            .with_label_values(&[handler.name(), &event.name])
            .inc();
    }
    Ok(Outcome::Handled)
}

/// Runs `handler` for every event of a batch in ONE transaction: one inbox insert for all of
/// them (the rows it returns are the events not handled before), each new one's effect, one
/// commit. Any failure rolls the whole batch back; the caller then goes one by one.
#[tracing::instrument(skip_all, fields(handler = handler.name(), events = events.len()))]
pub async fn handle_batch(
    db: &Db,
    handler: &dyn EventHandler,
    events: &[&EventEnvelope],
    metrics: Option<&Metrics>,
) -> anyhow::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut txn = db.begin().await.context("opening the inbox transaction")?;
    let schema = handler.schema();
    let processed_at = now_ms();
    let mut rows = Vec::with_capacity(events.len());
    let mut values = Vec::with_capacity(events.len() * 4);
    for (i, event) in events.iter().enumerate() {
        let n = i * 4;
        rows.push(format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
        values.extend([
            event.id.to_string().into(),
            handler.name().into(),
            event.name.clone().into(),
            processed_at.into(),
        ]);
    }
    let sql = format!(
        "INSERT INTO \"{schema}\".\"inbox\" (event_id, handler, event_name, processed_at) \
         VALUES {} ON CONFLICT (event_id, handler) DO NOTHING RETURNING event_id",
        rows.join(", ")
    );
    let fresh: std::collections::HashSet<String> = txn
        .query_all(stmt(txn.get_database_backend(), &sql, values))
        .await
        .context("recording the events in the inbox")?
        .iter()
        .map(|row| row.try_get::<String>("", "event_id"))
        .collect::<Result<_, _>>()?;
    for event in events {
        if fresh.contains(&event.id.to_string()) {
            handler.handle(&mut txn, event).await?;
        }
    }
    txn.commit()
        .await
        .context("committing the handler's effects")?;
    if let Some(m) = metrics {
        for event in events {
            let counter = if fresh.contains(&event.id.to_string()) {
                &m.events_handled
            } else {
                &m.events_duplicate
            };
            counter
                .with_label_values(&[handler.name(), &event.name])
                .inc();
        }
    }
    Ok(())
}
