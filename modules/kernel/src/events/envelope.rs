use chrono::{DateTime, Utc};
use contracts::IntegrationEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What travels on every transport. The id is assigned when the event is written to the outbox
/// and never changes, so consumers' inboxes recognise a redelivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    pub id: Uuid,
    pub name: String,
    pub occurred_at: DateTime<Utc>,
    pub source: String,
    pub aggregate_id: String,
    pub correlation_id: Option<String>,
    pub payload: serde_json::Value,
}

impl EventEnvelope {
    /// Wraps a typed event, stamping a fresh UUIDv7 and the current request id.
    pub fn wrap<E: IntegrationEvent>(event: &E) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: Uuid::now_v7(),
            name: E::NAME.to_owned(),
            occurred_at: Utc::now(),
            source: E::SOURCE.to_owned(),
            aggregate_id: event.aggregate_id(),
            correlation_id: crate::http::current_request_id(),
            payload: serde_json::to_value(event)?,
        })
    }

    /// Reads the payload as the typed event, checking the name first.
    pub fn decode<E: IntegrationEvent>(&self) -> anyhow::Result<E> {
        anyhow::ensure!(
            self.name == E::NAME,
            "expected {}, got {}",
            E::NAME,
            self.name
        );
        Ok(serde_json::from_value(self.payload.clone())?)
    }
}
