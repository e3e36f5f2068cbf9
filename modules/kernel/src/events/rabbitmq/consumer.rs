//! Consuming one module's queue into its handlers.
//!
//! Messages that are ready together are handled as a batch (each handler takes its share in one
//! inbox transaction, see [`HandlerSet::dispatch_batch`]) and acked one by one after the commit.
//! A failing event is retried with backoff in a lane of its own aggregate: later events of that
//! aggregate queue behind it (per-aggregate order holds), every other aggregate flows on. After
//! `max_attempts` the event goes to the module's DLQ and its lane moves on.

use super::{Broker, EventEnvelope, HandlerSet};
use crate::{
    db::Db,
    events::{lag::ConsumerLag, EventHandler},
    metrics::Metrics,
};
use futures_util::{stream::FuturesUnordered, FutureExt, StreamExt};
use lapin::{
    message::Delivery,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions,
        BasicQosOptions, ConfirmSelectOptions, QueueDeclareOptions,
    },
    types::{AMQPValue, FieldTable},
    Channel,
};
use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc, time::Duration};
use tokio::sync::{mpsc, watch};

/// Retry policy of a consumer.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub prefetch: u16,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

/// Consumes one module's queue into its handlers.
pub struct RabbitConsumer {
    broker: Arc<Broker>,
    module: String,
    handlers: HandlerSet,
    settings: ConsumerSettings,
    lag: Arc<ConsumerLag>,
}

/// How often the consumer looks at its queue's depth (for `/ready`, `/metrics`, admin).
const LAG_REFRESH: Duration = Duration::from_secs(2);

/// A message and its decoded event.
struct Job {
    delivery: Delivery,
    envelope: EventEnvelope,
}

/// An event whose first attempt failed, and the events of its aggregate behind it.
struct Failed {
    aggregate: String,
    head: Job,
    error: String,
    followers: Vec<Job>,
}

/// A lane retrying its aggregate's head event; resolves to the aggregate when it ran dry.
type Lane<'a> = Pin<Box<dyn Future<Output = anyhow::Result<String>> + Send + 'a>>;

impl RabbitConsumer {
    pub fn new(
        broker: Arc<Broker>,
        module: &str,
        handlers: Vec<Arc<dyn EventHandler>>,
        db: Db,
        metrics: Option<Metrics>,
        settings: ConsumerSettings,
    ) -> Self {
        Self {
            broker,
            module: module.to_owned(),
            handlers: HandlerSet::new(db, &handlers, metrics),
            settings,
            lag: ConsumerLag::new(module),
        }
    }

    /// This consumer's lag, as it keeps it up to date.
    pub fn lag(&self) -> Arc<ConsumerLag> {
        self.lag.clone()
    }

    /// Consumes until `shutdown`; reconnects by itself when the broker goes away.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                _ = shutdown.changed() => return,
                result = self.consume() => {
                    self.lag.set_connected(false);
                    if let Err(error) = result {
                        tracing::warn!(module = %self.module, error = %error, "consumer lost the broker; reconnecting");
                    }
                }
            }
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    async fn consume(&self) -> anyhow::Result<()> {
        // Declares the topology first (idempotent), so the queue exists before we consume it.
        self.broker.publishing_channel().await?;
        let connection = self.broker.connect().await?;
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        channel
            .basic_qos(self.settings.prefetch, BasicQosOptions::default())
            .await?;
        let mut deliveries = channel
            .basic_consume(
                self.broker.queue(&self.module).as_str().into(),
                format!("evdms-{}-{}", self.module, uuid::Uuid::now_v7())
                    .as_str()
                    .into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        tracing::debug!(module = %self.module, "consuming");
        self.lag.set_connected(true);
        let mut look = tokio::time::interval(LAG_REFRESH);
        let mut lanes: FuturesUnordered<Lane<'_>> = FuturesUnordered::new();
        let mut waiting: HashMap<String, mpsc::UnboundedSender<Job>> = HashMap::new();
        loop {
            tokio::select! {
                next = deliveries.next() => {
                    let Some(first) = next else { break };
                    let mut batch = vec![first?];
                    // Whatever else the broker has already sent joins this batch.
                    while batch.len() < usize::from(self.settings.prefetch.max(1)) {
                        match deliveries.next().now_or_never() {
                            Some(Some(delivery)) => batch.push(delivery?),
                            _ => break,
                        }
                    }
                    for failed in self.handle_batch(&channel, batch, &mut waiting).await? {
                        let (sender, receiver) = mpsc::unbounded_channel();
                        waiting.insert(failed.aggregate.clone(), sender);
                        lanes.push(Box::pin(self.lane(&channel, failed, receiver)));
                    }
                }
                _ = look.tick() => self.refresh_lag(&channel).await?,
                Some(done) = lanes.next(), if !lanes.is_empty() => {
                    let aggregate = done?;
                    if waiting.get(&aggregate).is_some_and(|s| s.is_closed()) {
                        waiting.remove(&aggregate);
                    }
                }
            }
        }
        anyhow::bail!("the consumer was cancelled")
    }

    /// Handles what arrived together. Events of an aggregate with a lane join that lane; the
    /// rest go in rounds of at most one event per aggregate (in arrival order). Returns the
    /// failed heads, for which new lanes must start, with their aggregate.
    async fn handle_batch(
        &self,
        channel: &Channel,
        batch: Vec<Delivery>,
        waiting: &mut HashMap<String, mpsc::UnboundedSender<Job>>,
    ) -> anyhow::Result<Vec<Failed>> {
        let mut ready: Vec<Job> = Vec::with_capacity(batch.len());
        for delivery in batch {
            let envelope = match serde_json::from_slice::<EventEnvelope>(&delivery.data) {
                Ok(envelope) => envelope,
                Err(error) => {
                    tracing::error!(module = %self.module, error = %error, "unreadable message dead-lettered");
                    let reason = format!("unreadable envelope: {error}");
                    self.dead_letter(channel, &delivery, &reason, 0).await?;
                    continue;
                }
            };
            self.lag.received(&envelope);
            let job = Job { delivery, envelope };
            let job = match waiting.get(&job.envelope.aggregate_id) {
                Some(lane) => match lane.send(job) {
                    Ok(()) => continue,
                    // The lane has just run dry: the aggregate flows normally again.
                    Err(mpsc::error::SendError(job)) => {
                        waiting.remove(&job.envelope.aggregate_id);
                        job
                    }
                },
                None => job,
            };
            ready.push(job);
        }
        let mut failed: Vec<Failed> = Vec::new();
        while !ready.is_empty() {
            // One round: the first remaining event of each aggregate; later ones of a failed
            // aggregate wait behind its head, in its lane.
            let mut round: Vec<Job> = Vec::new();
            let mut rest = Vec::new();
            for job in ready {
                let aggregate = job.envelope.aggregate_id.as_str();
                if let Some(f) = failed.iter_mut().find(|f| f.aggregate == aggregate) {
                    f.followers.push(job);
                } else if round.iter().any(|j| j.envelope.aggregate_id == aggregate) {
                    rest.push(job);
                } else {
                    round.push(job);
                }
            }
            let envelopes: Vec<EventEnvelope> = round.iter().map(|j| j.envelope.clone()).collect();
            let outcomes = self.handlers.dispatch_batch(&envelopes).await;
            for (job, outcome) in round.into_iter().zip(outcomes) {
                match outcome {
                    // Only now, with every effect committed with its inbox record, is it done.
                    Ok(()) => {
                        job.delivery.ack(BasicAckOptions::default()).await?;
                        self.lag.finished(&job.envelope);
                    }
                    Err(error) => {
                        let error = self.count_failure(&job.envelope, 1, &error);
                        failed.push(Failed {
                            aggregate: job.envelope.aggregate_id.clone(),
                            head: job,
                            error,
                            followers: Vec::new(),
                        });
                    }
                }
            }
            ready = rest;
        }
        Ok(failed)
    }

    /// Retries the failed head with backoff until it succeeds or is dead-lettered, then the
    /// events that queued behind it, in order; resolves once no event of the aggregate waits.
    async fn lane(
        &self,
        channel: &Channel,
        failed: Failed,
        mut queued: mpsc::UnboundedReceiver<Job>,
    ) -> anyhow::Result<String> {
        let Failed {
            aggregate,
            head,
            error,
            followers,
        } = failed;
        let mut followers = followers.into_iter();
        let mut next = Some((head, 1, error));
        while let Some((job, mut attempt, mut last_error)) = next.take() {
            loop {
                if attempt >= self.settings.max_attempts {
                    tracing::error!(module = %self.module, event = %job.envelope.name, event_id = %job.envelope.id, attempt, error = %last_error, "event dead-lettered");
                    self.dead_letter(channel, &job.delivery, &last_error, attempt)
                        .await?;
                    if let Some(m) = self.handlers.metrics() {
                        m.events_dead_lettered
                            .with_label_values(&[&self.module, &job.envelope.name])
                            .inc();
                    }
                    self.lag.finished(&job.envelope);
                    break;
                }
                if attempt > 0 {
                    let delay = crate::backoff::jittered(
                        self.settings.backoff_base,
                        self.settings.backoff_max,
                        attempt,
                    );
                    tokio::time::sleep(delay).await;
                }
                attempt += 1;
                match self.handlers.dispatch(&job.envelope).await {
                    Ok(()) => {
                        job.delivery.ack(BasicAckOptions::default()).await?;
                        self.lag.finished(&job.envelope);
                        break;
                    }
                    Err(error) => last_error = self.count_failure(&job.envelope, attempt, &error),
                }
            }
            next = followers
                .next()
                .or_else(|| queued.try_recv().ok())
                .map(|job| (job, 0, String::new()));
        }
        // Dropping the receiver closes the lane: a later event of this aggregate flows normally.
        drop(queued);
        Ok(aggregate)
    }

    /// Reads the queue's depth (a passive declare) and publishes the lag to the metrics.
    async fn refresh_lag(&self, channel: &Channel) -> anyhow::Result<()> {
        let passive = QueueDeclareOptions {
            passive: true,
            ..Default::default()
        };
        let queue = channel
            .queue_declare(
                self.broker.queue(&self.module).as_str().into(),
                passive,
                FieldTable::default(),
            )
            .await?;
        self.lag.set_queued(queue.message_count());
        if let Some(m) = self.handlers.metrics() {
            let lag = self.lag.snapshot();
            m.consumer_queued
                .with_label_values(&[&self.module])
                .set(lag.queued.unwrap_or(0));
            m.consumer_oldest_age_seconds
                .with_label_values(&[&self.module])
                .set(lag.oldest_unhandled_age_secs);
        }
        Ok(())
    }

    /// Logs and counts a failed attempt; returns the error's text for the dead letter.
    fn count_failure(
        &self,
        envelope: &EventEnvelope,
        attempt: u32,
        error: &anyhow::Error,
    ) -> String {
        let error = format!("{error:#}");
        tracing::warn!(module = %self.module, event = %envelope.name, event_id = %envelope.id, attempt, error = %error, "handler failed; retrying");
        if let Some(m) = self.handlers.metrics() {
            m.events_failed
                .with_label_values(&[&self.module, &envelope.name])
                .inc();
        }
        error
    }

    /// Copies the message to the module's DLQ (with the error), then acks the original.
    async fn dead_letter(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        error: &str,
        attempts: u32,
    ) -> anyhow::Result<()> {
        let mut headers = delivery.properties.headers().clone().unwrap_or_default();
        headers.insert(
            "x-error".into(),
            AMQPValue::LongString(error.chars().take(2000).collect::<String>().into()),
        );
        headers.insert("x-attempts".into(), AMQPValue::LongUInt(attempts));
        let properties = delivery.properties.clone().with_headers(headers);
        let confirm = channel
            .basic_publish(
                self.broker.dead_letter_exchange().as_str().into(),
                self.module.as_str().into(),
                BasicPublishOptions::default(),
                &delivery.data,
                properties,
            )
            .await?
            .await?;
        if !confirm.is_ack() {
            // Leave it on the queue: better a retry than a lost event.
            delivery
                .nack(BasicNackOptions {
                    requeue: true,
                    ..Default::default()
                })
                .await?;
            anyhow::bail!("the broker refused the dead letter");
        }
        delivery.ack(BasicAckOptions::default()).await?;
        Ok(())
    }
}
