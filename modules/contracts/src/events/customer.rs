//! Events published by the customer module. They carry ids and facts; only the customer
//! directory events (created / updated) carry the contact details the notification module needs
//! to reach the customer, and `customer_erased` tells every holder of such a copy to delete it.

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
    /// How to reach the customer (absent in events written before contacts travelled).
    #[serde(flatten)]
    pub contact: CustomerContact,
}

/// A customer's contact details and consents, as the notification module keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerContact {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// BCP 47 language (`en`, `vi`); absent = the deployment's default.
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub consent_email: bool,
    #[serde(default)]
    pub consent_sms: bool,
    /// The salesperson who looks after the customer.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
}

/// A customer's contact details or consents changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUpdated {
    pub customer_id: Uuid,
    pub dealer_id: Uuid,
    #[serde(flatten)]
    pub contact: CustomerContact,
}

impl IntegrationEvent for CustomerUpdated {
    const NAME: &'static str = "customer.customer_updated.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.customer_id.to_string()
    }
}

/// A customer was erased: every copy of their personal data elsewhere must be deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerErased {
    pub customer_id: Uuid,
    pub dealer_id: Uuid,
}

impl IntegrationEvent for CustomerErased {
    const NAME: &'static str = "customer.customer_erased.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.customer_id.to_string()
    }
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
    /// The salesperson looking after the drive (absent in events written before it travelled).
    #[serde(default)]
    pub staff_id: Option<Uuid>,
}

impl IntegrationEvent for TestDriveScheduled {
    const NAME: &'static str = "customer.test_drive_scheduled.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.test_drive_id.to_string()
    }
}

/// A booked test drive was called off (its slots are free again). The free-text reason stays in
/// the customer module: it may describe the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveCancelled {
    pub test_drive_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub cancelled_at: DateTime<Utc>,
}

impl IntegrationEvent for TestDriveCancelled {
    const NAME: &'static str = "customer.test_drive_cancelled.v1";
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

/// A feedback case (complaint) was given to someone to handle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplaintAssigned {
    pub feedback_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    /// `complaint`, `suggestion` or `praise`.
    pub kind: String,
    pub severity: String,
    pub assigned_to: Uuid,
    pub assigned_by: Uuid,
}

impl IntegrationEvent for ComplaintAssigned {
    const NAME: &'static str = "customer.complaint_assigned.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.feedback_id.to_string()
    }
}
