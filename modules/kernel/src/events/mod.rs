//! Integration events: outbox (written with the change), relay (outbox → transport), inbox
//! (exactly one effect per event and handler), and the transports.

mod envelope;
pub mod inbox;
pub mod lag;
pub mod outbox;
pub mod rabbitmq;
pub mod relay;
pub(crate) mod sql;
pub mod transport;

pub use envelope::EventEnvelope;
pub use inbox::EventHandler;
pub use outbox::{publish, publish_envelope, publish_with_id};
pub use relay::{Relay, RelaySettings};
pub use transport::{HandlerSet, InProcessTransport, Transport};

use anyhow::bail;
use contracts::events::REGISTRY;
use std::{collections::HashSet, sync::Arc};

/// Milliseconds since the Unix epoch: how the event tables store time (portable, comparable).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Start-up check: every name a module publishes or handles is registered, and only the owning
/// module publishes it; handler names are unique (they key the inbox).
pub fn check_registrations(
    registry: &[contracts::EventName],
    publications: &[(&str, &[&str])],
    handlers: &[Arc<dyn EventHandler>],
) -> anyhow::Result<()> {
    for (module, names) in publications {
        for name in names.iter() {
            match registry.iter().find(|e| e.name == *name) {
                None => bail!("module `{module}` publishes unregistered event `{name}`"),
                Some(event) if event.source != *module => {
                    bail!(
                        "module `{module}` publishes `{name}`, which belongs to `{}`",
                        event.source
                    )
                }
                Some(_) => {}
            }
        }
    }
    let mut seen = HashSet::new();
    for handler in handlers {
        if !seen.insert(handler.name()) {
            bail!("two event handlers are named `{}`", handler.name());
        }
        for name in handler.events() {
            if !registry.iter().any(|e| e.name == *name) {
                bail!(
                    "handler `{}` subscribes to unregistered event `{name}`",
                    handler.name()
                );
            }
        }
    }
    Ok(())
}

/// The product's registry (from `contracts`).
pub fn registry() -> &'static [contracts::EventName] {
    REGISTRY
}
