//! The interaction timeline: what happened with a customer, as one line per event.

use chrono::{DateTime, Utc};
use contracts::{
    events::{customer, dealer},
    IntegrationEvent,
};
use kernel::events::EventEnvelope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// One thing that happened. Holds ids, stages and amounts, never personal data, so erasing a
/// customer leaves the timeline (an aggregate) in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// The id of the event it came from: recording an event twice records it once.
    pub id: Uuid,
    pub customer_id: Uuid,
    pub dealer_id: Uuid,
    /// e.g. `lead_stage_changed`, `quotation_sent`, `payment_received`.
    pub kind: String,
    pub summary: String,
    /// The event's payload.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

fn money(value: &Value) -> String {
    let minor = value.as_i64().unwrap_or_default();
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("?")
}

/// The timeline entry an event makes (ids, stages, amounts: no personal data).
pub fn timeline_entry(event: &EventEnvelope) -> anyhow::Result<Option<TimelineEntry>> {
    let p = &event.payload;
    let id = |key: &str| p[key].as_str().and_then(|s| s.parse::<Uuid>().ok());
    let (Some(customer_id), Some(dealer_id)) = (id("customerId"), id("dealerId")) else {
        return Ok(None);
    };
    let (kind, summary) = match event.name.as_str() {
        dealer::QuotationSent::NAME => (
            "quotation_sent",
            format!(
                "Quotation {} sent, total {}",
                text(&p["quotationNumber"]),
                money(&p["total"])
            ),
        ),
        dealer::SalesOrderCreated::NAME => (
            "order_created",
            format!(
                "Sales order {} created for VIN {}",
                text(&p["orderNumber"]),
                text(&p["vin"])
            ),
        ),
        dealer::ContractSigned::NAME => (
            "contract_signed",
            format!(
                "Contract {} signed, total {}",
                text(&p["contractNumber"]),
                money(&p["total"])
            ),
        ),
        dealer::PaymentReceived::NAME => (
            "payment_received",
            format!(
                "Payment of {} received by {}, {} outstanding",
                money(&p["amount"]),
                text(&p["method"]),
                money(&p["outstanding"])
            ),
        ),
        dealer::VehicleDelivered::NAME => (
            "vehicle_delivered",
            format!(
                "Vehicle {} delivered (order {})",
                text(&p["vin"]),
                text(&p["orderNumber"])
            ),
        ),
        dealer::SalesOrderCancelled::NAME => (
            "order_cancelled",
            format!("Sales order {} cancelled", text(&p["orderNumber"])),
        ),
        customer::LeadCreated::NAME => (
            "lead_created",
            format!(
                "Lead opened (source {}, stage {})",
                text(&p["source"]),
                text(&p["stage"])
            ),
        ),
        customer::LeadStageChanged::NAME => (
            "lead_stage_changed",
            format!("Lead moved from {} to {}", text(&p["from"]), text(&p["to"])),
        ),
        customer::TestDriveScheduled::NAME => (
            "test_drive_scheduled",
            format!("Test drive booked for {}", text(&p["startsAt"])),
        ),
        customer::TestDriveCompleted::NAME => {
            ("test_drive_completed", "Test drive completed".to_owned())
        }
        customer::ComplaintFiled::NAME => (
            "feedback_filed",
            format!(
                "{} filed ({} severity, via {})",
                text(&p["kind"]),
                text(&p["severity"]),
                text(&p["channel"])
            ),
        ),
        other => anyhow::bail!("the timeline has no entry for {other}"),
    };
    Ok(Some(TimelineEntry {
        id: event.id,
        customer_id,
        dealer_id,
        kind: kind.to_owned(),
        summary,
        details: p.clone(),
        occurred_at: event.occurred_at,
    }))
}
