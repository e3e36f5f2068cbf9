//! Choosing the event transport and starting relays and consumers.
//!
//! `auto` is in-process when no subscription of `contracts::events::SUBSCRIPTIONS` crosses this
//! process's boundary, RabbitMQ otherwise. A configuration that would deliver an event to nobody
//! (in-process while a consumer lives elsewhere, or no broker URL) is refused at start-up.

use crate::modules::EnabledModule;
use anyhow::bail;
use contracts::events::{lookup, SUBSCRIPTIONS};
use kernel::{
    config::{Settings, TransportKind},
    db::Db,
    events::{
        lag::{ConsumerLag, ConsumerLagCheck},
        rabbitmq::{
            Broker, BrokerCheck, ConsumerSettings, QueueSpec, RabbitConsumer, RabbitTransport,
        },
        relay::listen_for_notifications,
        EventHandler, InProcessTransport, Relay, RelaySettings, Transport,
    },
    metrics::Metrics,
    ops::ReadinessCheck,
};
use secrecy::ExposeSecret;
use std::{sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};

/// The first subscription whose publisher and consumer are on different sides of this process.
pub fn crossing_subscription(local: &[&str]) -> Option<(&'static str, &'static str, &'static str)> {
    SUBSCRIPTIONS.iter().find_map(|(consumer, events)| {
        events.iter().find_map(|name| {
            let source = lookup(name)?.source;
            (local.contains(&source) != local.contains(consumer))
                .then_some((source, *name, *consumer))
        })
    })
}

/// Every local handler's subscriptions must be declared in the contracts table (it drives the
/// broker topology), and every subscription of a hosted module must have a handler (else its
/// events would be delivered, acknowledged and silently dropped).
pub fn check_subscriptions(
    handlers: &[Arc<dyn EventHandler>],
    hosted: &[&str],
) -> anyhow::Result<()> {
    for (module, events) in SUBSCRIPTIONS.iter().filter(|(m, _)| hosted.contains(m)) {
        let handled = |name: &&str| {
            handlers
                .iter()
                .any(|h| h.schema() == *module && h.events().contains(name))
        };
        if let Some(unhandled) = events.iter().find(|name| !handled(name)) {
            bail!(
                "contracts::events::SUBSCRIPTIONS lists `{unhandled}` for `{module}`, but no handler of `{module}` consumes it"
            );
        }
    }
    for handler in handlers {
        let declared = SUBSCRIPTIONS
            .iter()
            .find(|(module, _)| *module == handler.schema())
            .map(|(_, e)| *e)
            .unwrap_or(&[]);
        if let Some(missing) = handler.events().iter().find(|e| !declared.contains(e)) {
            bail!(
                "handler `{}` consumes `{missing}`, which contracts::events::SUBSCRIPTIONS does not list for `{}`",
                handler.name(),
                handler.schema()
            );
        }
    }
    Ok(())
}

pub struct Bus {
    pub tasks: Vec<JoinHandle<()>>,
    pub broker: Option<Arc<Broker>>,
    pub readiness: Vec<Arc<dyn ReadinessCheck>>,
    /// The lag of each local RabbitMQ consumer (none in-process).
    pub lags: Vec<Arc<ConsumerLag>>,
}

pub fn start(
    settings: &Settings,
    modules: &[EnabledModule],
    db: &Db,
    handlers: &[Arc<dyn EventHandler>],
    metrics: &Metrics,
    shutdown: &watch::Receiver<bool>,
) -> anyhow::Result<Bus> {
    let local: Vec<&str> = modules.iter().map(EnabledModule::name).collect();
    check_subscriptions(handlers, &local)?;
    let crossing = crossing_subscription(&local);
    let amqp_url = settings.bus.amqp_url.expose_secret();
    let use_broker = match (settings.bus.transport, crossing) {
        (TransportKind::Rabbitmq, _) => true,
        (TransportKind::InProcess, None) | (TransportKind::Auto, None) => false,
        (TransportKind::InProcess, Some((from, event, to))) => bail!(
            "invalid configuration `bus.transport`: in-process cannot carry {event} from {from} here to {to} elsewhere; use rabbitmq"
        ),
        (TransportKind::Auto, Some((from, event, to))) if amqp_url.trim().is_empty() => bail!(
            "invalid configuration `bus.amqp_url`: {event} goes from {from} to {to} in another process, which needs RabbitMQ"
        ),
        (TransportKind::Auto, Some(_)) => true,
    };
    let mut tasks = Vec::new();
    let mut readiness: Vec<Arc<dyn ReadinessCheck>> = Vec::new();
    let mut lags = Vec::new();
    let mut used_broker = None;
    let transport: Arc<dyn Transport> = if use_broker {
        let queues = SUBSCRIPTIONS
            .iter()
            .map(|(module, events)| QueueSpec {
                module: (*module).to_owned(),
                events: events.iter().map(|e| (*e).to_owned()).collect(),
            })
            .collect();
        let broker = Broker::new(amqp_url, &settings.bus.broker_prefix, queues);
        broker.observe(metrics.clone());
        for module in &local {
            let own: Vec<Arc<dyn EventHandler>> = handlers
                .iter()
                .filter(|h| h.schema() == *module)
                .cloned()
                .collect();
            if own.is_empty() {
                continue;
            }
            let consumer = RabbitConsumer::new(
                broker.clone(),
                module,
                own,
                db.clone(),
                Some(metrics.clone()),
                ConsumerSettings {
                    prefetch: settings.bus.prefetch,
                    max_attempts: settings.bus.max_attempts,
                    backoff_base: Duration::from_millis(settings.bus.backoff_base_ms),
                    backoff_max: Duration::from_millis(settings.bus.backoff_max_ms),
                },
            );
            let lag = consumer.lag();
            readiness.push(Arc::new(ConsumerLagCheck {
                lag: lag.clone(),
                max_lag_secs: i64::try_from(settings.ops.max_outbox_lag_secs).unwrap_or(i64::MAX),
            }));
            lags.push(lag);
            tasks.push(tokio::spawn(consumer.run(shutdown.clone())));
        }
        readiness.push(Arc::new(BrokerCheck(broker.clone())));
        used_broker = Some(broker.clone());
        Arc::new(RabbitTransport::new(broker))
    } else {
        Arc::new(InProcessTransport::new(
            db.clone(),
            handlers,
            Some(metrics.clone()),
        ))
    };
    let name = transport.name();
    if settings.bus.relay_enabled {
        for module in &local {
            let relay = Relay::new(
                db.clone(),
                *module,
                transport.clone(),
                RelaySettings::from(&settings.bus),
                Some(metrics.clone()),
            );
            tasks.push(tokio::spawn(relay.run(shutdown.clone())));
        }
        tasks.push(tokio::spawn(listen_for_notifications(
            db.clone(),
            shutdown.clone(),
        )));
    }
    tracing::info!(transport = name, "event bus started");
    Ok(Bus {
        tasks,
        broker: used_broker,
        readiness,
        lags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_crosses_only_when_one_side_is_elsewhere() {
        assert!(crossing_subscription(&contracts::modules::ALL).is_none());
        assert!(crossing_subscription(&[]).is_none());
        // Auth both publishes (to notification, customer) and subscribes (dealer's branches).
        let (from, _, to) = crossing_subscription(&["auth"]).expect("auth's events cross");
        assert!(
            from != to && (from == "auth" || to == "auth"),
            "{from} → {to}"
        );
        assert!(crossing_subscription(&["notification"]).is_some());
    }

    #[test]
    fn a_hosted_subscription_without_a_handler_is_refused() {
        let error = check_subscriptions(&[], &["dealer"]).expect_err("dealer has subscriptions");
        assert!(
            error.to_string().contains("no handler of `dealer`"),
            "{error}"
        );
        let subscribes = |module: &&str| {
            contracts::events::SUBSCRIPTIONS
                .iter()
                .any(|(subscriber, names)| subscriber == module && !names.is_empty())
        };
        if let Some(quiet) = contracts::modules::ALL.iter().find(|m| !subscribes(m)) {
            assert!(
                check_subscriptions(&[], &[*quiet]).is_ok(),
                "{quiet} subscribes to nothing"
            );
        }
    }
}
