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
}
