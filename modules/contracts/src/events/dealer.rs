//! Events published by the dealer module (retail sales). No customer personal data travels in
//! them: consumers refer to customers by id, so erasure in the customer module is complete.

use super::IntegrationEvent;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const SOURCE: &str = crate::modules::DEALER;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotationSent {
    pub quotation_id: Uuid,
    pub quotation_number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub total: Money,
    pub valid_until: NaiveDate,
}

impl IntegrationEvent for QuotationSent {
    const NAME: &'static str = "dealer.quotation_sent.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.quotation_id.to_string()
    }
}

/// A sales order was created (directly or from a quotation) and a VIN reserved for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderCreated {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub quotation_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vin: String,
    pub total: Money,
    /// `full` or `instalments`.
    pub payment_plan: String,
    /// What the customer owes in all (total plus any instalment interest).
    #[serde(default)]
    pub payable: Money,
    /// The instalment schedule (empty when paid in full).
    #[serde(default)]
    pub instalments: Vec<InstalmentDue>,
}

/// One instalment of a sales order's payment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentDue {
    pub number: i32,
    pub due_date: NaiveDate,
    pub amount: Money,
}

impl IntegrationEvent for SalesOrderCreated {
    const NAME: &'static str = "dealer.order_created.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderApproved {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub approved_by: Uuid,
}

impl IntegrationEvent for SalesOrderApproved {
    const NAME: &'static str = "dealer.order_approved.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractSigned {
    pub contract_id: Uuid,
    pub contract_number: String,
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub total: Money,
    pub signed_at: DateTime<Utc>,
}

impl IntegrationEvent for ContractSigned {
    const NAME: &'static str = "dealer.contract_signed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        // The order's stream: contract, payments and delivery of one sale stay in order.
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReceived {
    pub payment_id: Uuid,
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub amount: Money,
    /// `cash`, `card`, `transfer` or `financing`.
    pub method: String,
    pub paid_total: Money,
    pub outstanding: Money,
    pub received_at: DateTime<Utc>,
}

impl IntegrationEvent for PaymentReceived {
    const NAME: &'static str = "dealer.payment_received.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentOverdue {
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub instalment_number: i32,
    pub due_date: NaiveDate,
    pub amount_due: Money,
}

impl IntegrationEvent for InstalmentOverdue {
    const NAME: &'static str = "dealer.instalment_overdue.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// The customer took delivery: the unit is sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleDelivered {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub vin: String,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub total: Money,
    pub delivered_at: DateTime<Utc>,
    /// Sale dimensions and economics, for reporting. Defaulted when absent, so events written
    /// before these fields existed still decode.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub model_id: Option<Uuid>,
    /// Price before discounts: base, colour and options.
    #[serde(default)]
    pub list_price: Money,
    /// Promotions and the manual discount together.
    #[serde(default)]
    pub discount: Money,
    #[serde(default)]
    pub tax: Money,
    /// What the dealer paid the OEM for the unit.
    #[serde(default)]
    pub cost: Money,
    #[serde(default)]
    pub promotions: Vec<PromotionApplied>,
    /// When the unit entered the dealer's stock.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

impl IntegrationEvent for VehicleDelivered {
    const NAME: &'static str = "dealer.vehicle_delivered.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderCancelled {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    /// The VIN released back to stock, if one was reserved.
    pub released_vin: Option<String>,
    pub reason: String,
}

impl IntegrationEvent for SalesOrderCancelled {
    const NAME: &'static str = "dealer.order_cancelled.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// A dealer's sellable stock of a variant × colour fell to or below its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerStockLow {
    pub dealer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub in_stock: i64,
    pub threshold: i64,
}

impl IntegrationEvent for DealerStockLow {
    const NAME: &'static str = "dealer.stock_low.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        format!("{}:{}:{}", self.dealer_id, self.variant_id, self.colour_id)
    }
}

/// A dealer opened a branch: other modules learn which dealer it belongs to (the customer
/// module books test drives there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BranchOpened {
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
    pub name: String,
    pub city: String,
}

impl IntegrationEvent for BranchOpened {
    const NAME: &'static str = "dealer.branch_opened.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.branch_id.to_string()
    }
}

/// A promotion that lowered a sale's price, and by how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionApplied {
    pub promotion_id: Uuid,
    pub name: String,
    /// `oem` or `dealer`.
    pub source: String,
    pub amount: Money,
}

/// A dealer was registered or changed: name, region, status and time zone, for other modules'
/// directories (reports group sales by region; notifications keep SMS quiet hours in its zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerProfileChanged {
    pub dealer_id: Uuid,
    pub code: String,
    pub name: String,
    pub region: String,
    pub city: String,
    /// `active`, `suspended` or `inactive`.
    pub status: String,
    /// IANA time zone of the dealer's local time (e.g. `Asia/Ho_Chi_Minh`); absent in events
    /// written before it existed, and when the dealer has none (the configured default applies).
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl IntegrationEvent for DealerProfileChanged {
    const NAME: &'static str = "dealer.dealer_changed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.dealer_id.to_string()
    }
}

/// The OEM set a dealer's sales target for a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesTargetSet {
    pub dealer_id: Uuid,
    /// `YYYY-MM`
    pub period: String,
    pub target_units: i32,
    pub target_revenue: Money,
}

impl IntegrationEvent for SalesTargetSet {
    const NAME: &'static str = "dealer.target_set.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        format!("{}:{}", self.dealer_id, self.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dealer_change_written_before_time_zones_still_reads() {
        let old = serde_json::json!({
            "dealerId": uuid::Uuid::nil(), "code": "DLR-A", "name": "A", "region": "South",
            "city": "HCMC", "status": "active",
        });
        let event: DealerProfileChanged = serde_json::from_value(old).unwrap();
        assert_eq!(event.time_zone, None);
    }
}
