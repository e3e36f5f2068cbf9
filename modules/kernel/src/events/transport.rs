//! Transports carry envelopes from a relay to the handlers. In-process delivers to the handlers
//! of this binary through their inboxes; RabbitMQ publishes, and its consumer dispatches through
//! the same [`HandlerSet`].

use super::{inbox, EventEnvelope, EventHandler};
use crate::{db::Db, metrics::Metrics};
use std::{collections::HashMap, sync::Arc};

#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    fn name(&self) -> &'static str;
    /// Delivers (or durably hands over) one event. An error makes the relay retry it later.
    async fn deliver(&self, event: &EventEnvelope) -> anyhow::Result<()>;
    /// Delivers a batch of events (at most one per aggregate, in outbox order) and answers each
    /// one's outcome, in the same order. Transports override this to amortise round trips.
    async fn deliver_batch(&self, events: &[EventEnvelope]) -> Vec<anyhow::Result<()>> {
        let mut outcomes = Vec::with_capacity(events.len());
        for event in events {
            outcomes.push(self.deliver(event).await);
        }
        outcomes
    }
}

/// The handlers of this process by event name: the one dispatch path of both transports (the
/// in-process transport, and the RabbitMQ consumer of a module's queue).
pub struct HandlerSet {
    db: Db,
    by_event: HashMap<&'static str, Vec<Arc<dyn EventHandler>>>,
    metrics: Option<Metrics>,
}

impl HandlerSet {
    pub fn new(db: Db, handlers: &[Arc<dyn EventHandler>], metrics: Option<Metrics>) -> Self {
        let mut by_event: HashMap<&'static str, Vec<Arc<dyn EventHandler>>> = HashMap::new();
        for handler in handlers {
            for name in handler.events() {
                by_event.entry(name).or_default().push(handler.clone());
            }
        }
        Self {
            db,
            by_event,
            metrics,
        }
    }

    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
    }

    /// Runs every handler subscribed to the event, each through its inbox (an effect commits
    /// with its inbox record, so a handler that already succeeded skips a redelivery). All are
    /// tried; the error names each one that failed.
    pub async fn dispatch(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        let Some(handlers) = self.by_event.get(event.name.as_str()) else {
            return Ok(());
        };
        let mut failures = Vec::new();
        for handler in handlers {
            if let Err(error) =
                inbox::handle_once(&self.db, handler.as_ref(), event, self.metrics.as_ref()).await
            {
                tracing::warn!(handler = handler.name(), event = %event.name, error = ?error, "handler failed");
                failures.push(format!("{}: {error:#}", handler.name()));
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            anyhow::bail!(failures.join("; "))
        }
    }

    /// Dispatches a batch (at most one event per aggregate, so their order does not matter):
    /// each handler takes all of its events in ONE inbox transaction. Should that fail, the
    /// handler goes through them one by one, so only the failing event is retried. Handlers
    /// run concurrently. Answers each event's outcome, in order.
    pub async fn dispatch_batch(&self, events: &[EventEnvelope]) -> Vec<anyhow::Result<()>> {
        let mut wanted: Vec<(&Arc<dyn EventHandler>, Vec<usize>)> = Vec::new();
        for (index, event) in events.iter().enumerate() {
            for handler in self.by_event.get(event.name.as_str()).into_iter().flatten() {
                match wanted.iter_mut().find(|(h, _)| Arc::ptr_eq(h, handler)) {
                    Some((_, indices)) => indices.push(index),
                    None => wanted.push((handler, vec![index])),
                }
            }
        }
        let runs = wanted.iter().map(|(handler, indices)| async move {
            let mine: Vec<&EventEnvelope> = indices.iter().filter_map(|&i| events.get(i)).collect();
            // One event gains nothing from the batch path (and a failure would run it twice).
            let together = mine.len() > 1
                && match inbox::handle_batch(&self.db, handler.as_ref(), &mine, self.metrics.as_ref()).await {
                    Ok(()) => true,
                    Err(error) => {
                        tracing::debug!(handler = handler.name(), error = ?error, "batch failed; handling its events one by one");
                        false
                    }
                };
            let mut failed = Vec::new();
            if !together {
                for (&index, event) in indices.iter().zip(&mine) {
                    if let Err(error) =
                        inbox::handle_once(&self.db, handler.as_ref(), event, self.metrics.as_ref())
                            .await
                    {
                        tracing::warn!(handler = handler.name(), event = %event.name, error = ?error, "handler failed");
                        failed.push((index, format!("{}: {error:#}", handler.name())));
                    }
                }
            }
            failed
        });
        let mut failures: Vec<Vec<String>> = vec![Vec::new(); events.len()];
        for (index, message) in futures_util::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
        {
            if let Some(list) = failures.get_mut(index) {
                list.push(message);
            }
        }
        failures
            .into_iter()
            .map(|list| {
                if list.is_empty() {
                    Ok(())
                } else {
                    Err(anyhow::anyhow!(list.join("; ")))
                }
            })
            .collect()
    }
}

/// Delivers to every local handler subscribed to the event's name, each through its inbox.
/// A failing handler fails the delivery; handlers that already succeeded skip the retry.
pub struct InProcessTransport {
    handlers: HandlerSet,
}

impl InProcessTransport {
    pub fn new(db: Db, handlers: &[Arc<dyn EventHandler>], metrics: Option<Metrics>) -> Self {
        Self {
            handlers: HandlerSet::new(db, handlers, metrics),
        }
    }
}

#[async_trait::async_trait]
impl Transport for InProcessTransport {
    fn name(&self) -> &'static str {
        "in-process"
    }

    async fn deliver(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        self.handlers.dispatch(event).await
    }

    async fn deliver_batch(&self, events: &[EventEnvelope]) -> Vec<anyhow::Result<()>> {
        self.handlers.dispatch_batch(events).await
    }
}
