//! The RabbitMQ transport (lapin), with the same delivery semantics as in-process.
//!
//! Topology (declared by every process, so events wait in RabbitMQ even while their consumer is
//! down): a durable topic exchange `<prefix>.events`; one durable queue `<prefix>.<module>` per
//! consuming module, bound to the event names it handles; a direct dead-letter exchange
//! `<prefix>.dlx` and one DLQ `<prefix>.<module>.dlq` per queue.
//!
//! Publishing uses publisher confirms and persistent messages (`message_id` = envelope id, `type`
//! and routing key = event name). A broker that cannot be reached is reported as
//! [`TransportUnavailable`], which the relay does not count as a failed attempt: rows stay pending
//! until the broker is back. Consumers ack only after the inbox transaction commits; a failing
//! event is retried with backoff behind its own aggregate while other aggregates flow (see
//! [`consumer`]), then the message goes to the DLQ.

mod consumer;

pub use consumer::{ConsumerSettings, RabbitConsumer};

use super::{EventEnvelope, HandlerSet, Transport};
use lapin::{
    options::{
        BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions,
        ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable, ShortString},
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Mutex;

/// The broker could not be reached; nothing was delivered and nothing should count as an attempt.
#[derive(Debug, Clone, thiserror::Error)]
#[error("message broker unavailable: {0}")]
pub struct TransportUnavailable(pub String);

/// Which events each consuming module's queue receives.
#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub module: String,
    pub events: Vec<String>,
}

pub struct Broker {
    url: String,
    prefix: String,
    queues: Vec<QueueSpec>,
    connection: Mutex<Option<(Connection, Channel)>>,
    /// Counts events published with no queue bound to them (see [`Broker::observe`]).
    metrics: std::sync::OnceLock<crate::metrics::Metrics>,
}

impl Broker {
    pub fn new(url: &str, prefix: &str, queues: Vec<QueueSpec>) -> Arc<Self> {
        Arc::new(Self {
            url: url.to_owned(),
            prefix: prefix.to_owned(),
            queues,
            connection: Mutex::new(None),
            metrics: std::sync::OnceLock::new(),
        })
    }

    /// Counts unrouted events in `metrics` (`evdms_events_unrouted_total`); the first call wins.
    pub fn observe(&self, metrics: crate::metrics::Metrics) {
        let _ = self.metrics.set(metrics);
    }

    /// A publish confirm: acked is delivered, nacked is refused. An acked message the broker
    /// also returned had no queue bound to its name: no module subscribes to that event, which
    /// is normal (it is counted and logged at debug, never a warning).
    fn settle(&self, routing_key: &str, confirmation: Confirmation) -> anyhow::Result<()> {
        if !confirmation.is_ack() {
            anyhow::bail!("the broker refused (nack) the message");
        }
        if let Some(returned) = confirmation.take_message() {
            tracing::debug!(
                event = routing_key,
                reply = %returned.reply_text,
                "no queue is bound to this event (nobody subscribes); the broker dropped it"
            );
            if let Some(metrics) = self.metrics.get() {
                metrics
                    .events_unrouted
                    .with_label_values(&[routing_key])
                    .inc();
            }
        }
        Ok(())
    }

    pub fn exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }

    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dlx", self.prefix)
    }

    pub fn queue(&self, module: &str) -> String {
        format!("{}.{module}", self.prefix)
    }

    pub fn dead_letter_queue(&self, module: &str) -> String {
        format!("{}.{module}.dlq", self.prefix)
    }

    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.queues.iter().map(|q| q.module.as_str())
    }

    /// Opens a connection (declaring the topology) unless one is up. Returns a channel with
    /// publisher confirms on.
    pub async fn publishing_channel(&self) -> Result<Channel, TransportUnavailable> {
        let mut guard = self.connection.lock().await;
        if let Some((connection, channel)) = guard.as_ref() {
            if connection.status().connected() && channel.status().connected() {
                return Ok(channel.clone());
            }
        }
        *guard = None;
        let connection = self.connect().await?;
        let channel = connection.create_channel().await.map_err(unavailable)?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(unavailable)?;
        self.declare(&channel).await.map_err(unavailable)?;
        *guard = Some((connection, channel.clone()));
        Ok(channel)
    }

    /// A new connection of its own (consumers use one each, so a slow consumer never blocks
    /// publishing).
    pub async fn connect(&self) -> Result<Connection, TransportUnavailable> {
        let properties = ConnectionProperties::default().with_connection_name("evdms".into());
        tokio::time::timeout(
            Duration::from_secs(5),
            Connection::connect(&self.url, properties),
        )
        .await
        .map_err(|_| TransportUnavailable("connecting timed out".into()))?
        .map_err(unavailable)
    }

    /// Forgets the connection after an error, so the next use reconnects.
    pub async fn reset(&self) {
        if let Some((connection, _)) = self.connection.lock().await.take() {
            let _ = connection.close(0, "reset".into()).await;
        }
    }

    async fn declare(&self, channel: &Channel) -> lapin::Result<()> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        };
        channel
            .exchange_declare(
                self.exchange().as_str().into(),
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await?;
        channel
            .exchange_declare(
                self.dead_letter_exchange().as_str().into(),
                ExchangeKind::Direct,
                durable,
                FieldTable::default(),
            )
            .await?;
        let durable_queue = QueueDeclareOptions {
            durable: true,
            ..Default::default()
        };
        for spec in &self.queues {
            let queue = self.queue(&spec.module);
            let dlq = self.dead_letter_queue(&spec.module);
            channel
                .queue_declare(dlq.as_str().into(), durable_queue, FieldTable::default())
                .await?;
            channel
                .queue_bind(
                    dlq.as_str().into(),
                    self.dead_letter_exchange().as_str().into(),
                    spec.module.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            channel
                .queue_declare(queue.as_str().into(), durable_queue, FieldTable::default())
                .await?;
            for event in &spec.events {
                channel
                    .queue_bind(
                        queue.as_str().into(),
                        self.exchange().as_str().into(),
                        event.as_str().into(),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Deletes this prefix's queues and exchanges (tests). Objects that do not exist are skipped:
    /// each deletion gets its own channel, since a failed one closes its channel.
    pub async fn delete_topology(&self) -> Result<(), TransportUnavailable> {
        self.reset().await;
        let connection = self.connect().await?;
        for spec in &self.queues {
            for queue in [
                self.queue(&spec.module),
                self.dead_letter_queue(&spec.module),
            ] {
                let channel = connection.create_channel().await.map_err(unavailable)?;
                let _ = channel
                    .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                    .await;
            }
        }
        for exchange in [self.exchange(), self.dead_letter_exchange()] {
            let channel = connection.create_channel().await.map_err(unavailable)?;
            let _ = channel
                .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                .await;
        }
        let _ = connection.close(0, "topology deleted".into()).await;
        Ok(())
    }

    /// Publishes with a publisher confirm; `Ok` only once the broker has the message.
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        body: &[u8],
        properties: BasicProperties,
    ) -> anyhow::Result<()> {
        let channel = self.publishing_channel().await?;
        let options = BasicPublishOptions {
            mandatory: true,
            ..Default::default()
        };
        let sent = channel
            .basic_publish(
                exchange.into(),
                routing_key.into(),
                options,
                body,
                properties,
            )
            .await;
        let confirm = match sent {
            Ok(pending) => pending.await,
            Err(error) => Err(error),
        };
        match confirm {
            Ok(confirmation) => self.settle(routing_key, confirmation),
            Err(error) => {
                self.reset().await;
                Err(unavailable(error).into())
            }
        }
    }

    /// Publishes a batch on the confirming channel without waiting between messages, then
    /// collects the confirms: one round trip's latency for the whole batch instead of one per
    /// message. Answers each message's outcome, in order.
    async fn publish_batch(
        &self,
        messages: Vec<(String, Vec<u8>, BasicProperties)>,
    ) -> Vec<anyhow::Result<()>> {
        let channel = match self.publishing_channel().await {
            Ok(channel) => channel,
            Err(error) => {
                return messages
                    .iter()
                    .map(|_| Err(anyhow::Error::new(error.clone())))
                    .collect()
            }
        };
        let exchange = self.exchange();
        let options = BasicPublishOptions {
            mandatory: true,
            ..Default::default()
        };
        let mut pending = Vec::with_capacity(messages.len());
        for (routing_key, body, properties) in &messages {
            pending.push(
                channel
                    .basic_publish(
                        exchange.as_str().into(),
                        routing_key.as_str().into(),
                        options,
                        body,
                        properties.clone(),
                    )
                    .await,
            );
        }
        let mut outcomes = Vec::with_capacity(pending.len());
        let mut lost = false;
        for (sent, (routing_key, _, _)) in pending.into_iter().zip(&messages) {
            let confirm = match sent {
                Ok(confirm) => confirm.await,
                Err(error) => Err(error),
            };
            outcomes.push(match confirm {
                Ok(confirmation) => self.settle(routing_key, confirmation),
                Err(error) => {
                    lost = true;
                    Err(unavailable(error).into())
                }
            });
        }
        if lost {
            self.reset().await;
        }
        outcomes
    }

    /// Peeks at a module's DLQ (up to `limit` messages, left in place).
    pub async fn dead_letters(
        &self,
        module: &str,
        limit: usize,
    ) -> Result<Vec<DeadLetter>, TransportUnavailable> {
        let session = DlqSession::open(self, module, false).await?;
        let mut found = Vec::new();
        while found.len() < limit {
            let Some(message) = session.next().await? else {
                break;
            };
            if let Ok(envelope) = serde_json::from_slice::<EventEnvelope>(&message.delivery.data) {
                let error = header_string(&message.delivery.properties, "x-error");
                found.push(DeadLetter {
                    module: module.to_owned(),
                    envelope,
                    error,
                });
            }
        }
        // Closing the channel without acking puts every peeked message back.
        session.close("peeked").await;
        Ok(found)
    }

    /// Removes one message from a module's DLQ; with `redrive`, publishes it to the module's
    /// queue again first. Returns whether it was found.
    pub async fn take_dead_letter(
        &self,
        module: &str,
        id: uuid::Uuid,
        redrive: bool,
    ) -> Result<bool, TransportUnavailable> {
        let session = DlqSession::open(self, module, true).await?;
        let mut taken = false;
        while let Some(message) = session.next().await? {
            let matches = message
                .delivery
                .properties
                .message_id()
                .as_ref()
                .is_some_and(|m| m.as_str() == id.to_string());
            if !matches {
                continue; // left unacked: returns to the queue when the channel closes
            }
            if redrive {
                let properties = message
                    .delivery
                    .properties
                    .clone()
                    .with_headers(FieldTable::default());
                let pending = session
                    .channel
                    .basic_publish(
                        "".into(),
                        self.queue(module).as_str().into(),
                        BasicPublishOptions::default(),
                        &message.delivery.data,
                        properties,
                    )
                    .await
                    .map_err(unavailable)?;
                pending.await.map_err(unavailable)?;
            }
            message
                .delivery
                .ack(BasicAckOptions::default())
                .await
                .map_err(unavailable)?;
            taken = true;
            break;
        }
        session.close("done").await;
        Ok(taken)
    }
}

/// A short-lived connection to read one module's dead-letter queue with `basic_get`.
/// Messages fetched and not acked return to the queue when the session closes.
struct DlqSession {
    connection: Connection,
    channel: Channel,
    queue: String,
}

impl DlqSession {
    async fn open(
        broker: &Broker,
        module: &str,
        confirm: bool,
    ) -> Result<Self, TransportUnavailable> {
        let connection = broker.connect().await?;
        let channel = connection.create_channel().await.map_err(unavailable)?;
        if confirm {
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(unavailable)?;
        }
        Ok(Self {
            connection,
            channel,
            queue: broker.dead_letter_queue(module),
        })
    }

    async fn next(&self) -> Result<Option<lapin::message::BasicGetMessage>, TransportUnavailable> {
        self.channel
            .basic_get(
                self.queue.as_str().into(),
                BasicGetOptions { no_ack: false },
            )
            .await
            .map_err(unavailable)
    }

    async fn close(self, reason: &str) {
        let _ = self.channel.close(0, reason.into()).await;
        let _ = self.connection.close(0, reason.into()).await;
    }
}

#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub module: String,
    pub envelope: EventEnvelope,
    pub error: Option<String>,
}

fn header_string(properties: &BasicProperties, name: &str) -> Option<String> {
    let headers = properties.headers().as_ref()?;
    match headers.inner().get(name)? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

fn unavailable(error: impl std::fmt::Display) -> TransportUnavailable {
    TransportUnavailable(error.to_string())
}

fn properties_for(envelope: &EventEnvelope) -> BasicProperties {
    let mut headers = FieldTable::default();
    headers.insert(
        "source".into(),
        AMQPValue::LongString(envelope.source.clone().into()),
    );
    headers.insert(
        "aggregate-id".into(),
        AMQPValue::LongString(envelope.aggregate_id.clone().into()),
    );
    let mut properties = BasicProperties::default()
        .with_message_id(ShortString::from(envelope.id.to_string()))
        .with_type(ShortString::from(envelope.name.clone()))
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_timestamp(u64::try_from(envelope.occurred_at.timestamp()).unwrap_or(0))
        .with_app_id(ShortString::from(envelope.source.clone()))
        .with_headers(headers);
    if let Some(correlation) = &envelope.correlation_id {
        properties = properties.with_correlation_id(ShortString::from(correlation.clone()));
    }
    properties
}

/// Relays hand events to RabbitMQ through this.
pub struct RabbitTransport {
    broker: Arc<Broker>,
}

impl RabbitTransport {
    pub fn new(broker: Arc<Broker>) -> Self {
        Self { broker }
    }
}

#[async_trait::async_trait]
impl Transport for RabbitTransport {
    fn name(&self) -> &'static str {
        "rabbitmq"
    }

    async fn deliver(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        let body = serde_json::to_vec(event)?;
        self.broker
            .publish(
                &self.broker.exchange(),
                &event.name,
                &body,
                properties_for(event),
            )
            .await
    }

    async fn deliver_batch(&self, events: &[EventEnvelope]) -> Vec<anyhow::Result<()>> {
        let mut outcomes: Vec<Option<anyhow::Result<()>>> = Vec::with_capacity(events.len());
        let mut messages = Vec::with_capacity(events.len());
        for event in events {
            match serde_json::to_vec(event) {
                Ok(body) => {
                    messages.push((event.name.clone(), body, properties_for(event)));
                    outcomes.push(None);
                }
                Err(error) => outcomes.push(Some(Err(error.into()))),
            }
        }
        let mut published = self.broker.publish_batch(messages).await.into_iter();
        outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    published
                        .next()
                        .unwrap_or_else(|| Err(anyhow::anyhow!("no confirm for the message")))
                })
            })
            .collect()
    }
}

/// `/ready` check: the broker accepts a connection.
pub struct BrokerCheck(pub Arc<Broker>);

#[async_trait::async_trait]
impl crate::ops::ReadinessCheck for BrokerCheck {
    fn name(&self) -> String {
        "rabbitmq".to_owned()
    }

    async fn check(&self) -> crate::ops::CheckResult {
        match self.0.publishing_channel().await {
            Ok(_) => crate::ops::pass(None),
            Err(error) => crate::ops::fail(error.to_string()),
        }
    }
}
