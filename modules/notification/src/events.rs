//! The one handler of the module: directory events keep the local copies of people; routed
//! events become ledger rows. It runs inside the inbox transaction and never sends anything
//! itself (the dispatcher does, and the live push happens, after the commit).

use crate::app::{directory, fanout, reminders, sealed, Notifications};
use contracts::events::SUBSCRIPTIONS;
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use std::sync::Arc;

pub struct Notifier(pub Arc<Notifications>);

/// The events this module subscribes to (from the contracts table, so the two never disagree).
fn subscribed() -> &'static [&'static str] {
    SUBSCRIPTIONS
        .iter()
        .find(|(module, _)| *module == contracts::modules::NOTIFICATION)
        .map_or(&[], |(_, events)| *events)
}

#[async_trait::async_trait]
impl EventHandler for Notifier {
    fn name(&self) -> &'static str {
        "notification.notifier"
    }
    fn schema(&self) -> &'static str {
        contracts::modules::NOTIFICATION
    }
    fn events(&self) -> &'static [&'static str] {
        subscribed()
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let app = &self.0;
        let event = &*sealed::seal_legacy(&app.sealer, event);
        // A user's registration both records them and welcomes them, in that order.
        directory::apply(&**txn, event, &app.locale_for(None)).await?;
        fanout::queue(app, txn, event).await?;
        reminders::track(app, &**txn, event).await?;
        Ok(())
    }
}
