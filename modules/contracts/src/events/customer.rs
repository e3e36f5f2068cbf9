//! Events published by the customer module. They carry ids and facts, never personal data
//! (names, phones, emails), so erasing a customer leaves nothing behind in other modules.

use super::IntegrationEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const SOURCE: &str = crate::modules::CUSTOMER;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCreated {
    pub customer_id: Uuid,
    pub dealer_id: Uuid,
    /// `individual` or `corporate`.
    pub kind: String,
    pub created_by: Uuid,
}

impl IntegrationEvent for CustomerCreated {
    const NAME: &'static str = "customer.customer_created.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.customer_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadCreated {
    pub lead_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    /// `walk_in`, `web`, `phone`, `referral` or `event`.
    pub source: String,
    pub owner_id: Uuid,
    pub stage: String,
    pub variant_id: Option<Uuid>,
}

impl IntegrationEvent for LeadCreated {
    const NAME: &'static str = "customer.lead_created.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.lead_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadStageChanged {
    pub lead_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub owner_id: Uuid,
    pub from: String,
    pub to: String,
    /// What moved it when the system did (e.g. a delivery). A salesperson's free-text reason
    /// (why a lead was lost) may describe the customer, so it stays in the customer module.
    pub reason: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl IntegrationEvent for LeadStageChanged {
    const NAME: &'static str = "customer.lead_stage_changed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.lead_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveScheduled {
    pub test_drive_id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub vin: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl IntegrationEvent for TestDriveScheduled {
    const NAME: &'static str = "customer.test_drive_scheduled.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.test_drive_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveCompleted {
    pub test_drive_id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub completed_at: DateTime<Utc>,
}

impl IntegrationEvent for TestDriveCompleted {
    const NAME: &'static str = "customer.test_drive_completed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.test_drive_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplaintFiled {
    pub feedback_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    /// `complaint`, `suggestion` or `praise`.
    pub kind: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// `phone`, `email`, `in_person`, `web` or `social`.
    pub channel: String,
    pub assigned_to: Option<Uuid>,
}

impl IntegrationEvent for ComplaintFiled {
    const NAME: &'static str = "customer.complaint_filed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.feedback_id.to_string()
    }
}
