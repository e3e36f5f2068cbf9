//! Events published by the manufacturer module. Payloads carry full snapshots, so consumers can
//! keep local copies (upsert by id) without calling the manufacturer.

use super::IntegrationEvent;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const SOURCE: &str = crate::modules::MANUFACTURER;

/// A colour a variant can be ordered in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColourOption {
    pub colour_id: Uuid,
    pub name: String,
    pub hex: String,
    pub surcharge: Money,
}

/// A variant became sellable or its sellable data changed (specs, colours, status). A snapshot:
/// consumers upsert it. `status` is the variant's lifecycle status (`in_production`,
/// `coming_soon`, `discontinued`); `modelStatus` is the model's (`published`, `discontinued`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantPublished {
    pub variant_id: Uuid,
    pub model_id: Uuid,
    pub manufacturer_id: Uuid,
    pub model_name: String,
    pub variant_name: String,
    pub segment: String,
    pub model_year: i32,
    pub model_status: String,
    pub status: String,
    pub battery_kwh: f64,
    pub range_km: i32,
    pub seats: i32,
    pub drive: String,
    pub msrp: Money,
    pub wholesale_price: Money,
    pub colours: Vec<ColourOption>,
}

impl IntegrationEvent for VariantPublished {
    const NAME: &'static str = "manufacturer.variant_published.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.variant_id.to_string()
    }
}

/// A variant's list price (MSRP) or wholesale price changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceChanged {
    pub variant_id: Uuid,
    pub msrp: Money,
    pub wholesale_price: Money,
    pub previous_msrp: Money,
    pub previous_wholesale_price: Money,
    pub effective_from: DateTime<Utc>,
}

impl IntegrationEvent for PriceChanged {
    const NAME: &'static str = "manufacturer.price_changed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        // Same aggregate as VariantPublished, so a price change never overtakes the publication.
        self.variant_id.to_string()
    }
}

/// An OEM promotion was created, changed or ended. A snapshot: consumers upsert it and apply it
/// only while `active` and inside the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionChanged {
    pub promotion_id: Uuid,
    pub name: String,
    /// `wholesale` (what the dealer pays the OEM) or `retail` (a discount for the end customer
    /// the OEM funds).
    pub applies_to: String,
    /// `percent` (`value` in basis points, 500 = 5%) or `amount` (`value` in minor units).
    pub kind: String,
    pub value: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Empty = every variant.
    pub variant_ids: Vec<Uuid>,
    /// Empty = every dealer.
    pub dealer_ids: Vec<Uuid>,
    /// Whether it combines with other promotions; of non-stackable ones only the best applies.
    pub stackable: bool,
    pub active: bool,
}

impl IntegrationEvent for PromotionChanged {
    const NAME: &'static str = "manufacturer.promotion_changed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.promotion_id.to_string()
    }
}

/// One line of a dealer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderLine {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub quantity: i32,
    pub unit_price: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderPlaced {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub placed_by: Uuid,
    pub lines: Vec<DealerOrderLine>,
    pub total: Money,
}

impl IntegrationEvent for DealerOrderPlaced {
    const NAME: &'static str = "manufacturer.dealer_order_placed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderApproved {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub approved_by: Uuid,
    pub total: Money,
}

impl IntegrationEvent for DealerOrderApproved {
    const NAME: &'static str = "manufacturer.dealer_order_approved.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// A vehicle unit identified by VIN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehicleUnit {
    pub vin: String,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// The wholesale price the dealer pays for this unit (after OEM promotions and discounts).
    pub unit_price: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VehiclesAllocated {
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub units: Vec<VehicleUnit>,
}

impl IntegrationEvent for VehiclesAllocated {
    const NAME: &'static str = "manufacturer.vehicles_allocated.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// The units of a dealer order left the warehouse; the dealer's inventory receives them as
/// in-transit units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderShipped {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub units: Vec<VehicleUnit>,
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub invoice_amount: Money,
    pub invoice_due_date: NaiveDate,
    pub shipped_at: DateTime<Utc>,
}

impl IntegrationEvent for DealerOrderShipped {
    const NAME: &'static str = "manufacturer.dealer_order_shipped.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// The dealer confirmed receipt of a shipped order; its units are now the dealer's stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderDelivered {
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub vins: Vec<String>,
    pub delivered_at: DateTime<Utc>,
}

impl IntegrationEvent for DealerOrderDelivered {
    const NAME: &'static str = "manufacturer.dealer_order_delivered.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// The dealer disputed a shipped order (damage, wrong or missing units); the OEM resolves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerOrderDisputed {
    pub order_id: Uuid,
    pub order_number: String,
    pub dealer_id: Uuid,
    pub reason: String,
    pub disputed_by: Uuid,
    pub disputed_at: DateTime<Utc>,
}

impl IntegrationEvent for DealerOrderDisputed {
    const NAME: &'static str = "manufacturer.dealer_order_disputed.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// Warehouse stock of a variant × colour fell to or below its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OemStockLow {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub available: i64,
    pub threshold: i64,
}

impl IntegrationEvent for OemStockLow {
    const NAME: &'static str = "manufacturer.stock_low.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        format!("{}:{}", self.variant_id, self.colour_id)
    }
}

/// A dealer invoice passed its due date with money outstanding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceOverdue {
    pub invoice_id: Uuid,
    pub invoice_number: String,
    pub dealer_id: Uuid,
    pub outstanding: Money,
    pub due_date: NaiveDate,
}

impl IntegrationEvent for InvoiceOverdue {
    const NAME: &'static str = "manufacturer.invoice_overdue.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.invoice_id.to_string()
    }
}

/// A dealer payment was confirmed against an invoice (dealer debt goes down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealerPaymentRecorded {
    pub payment_id: Uuid,
    pub invoice_id: Uuid,
    pub dealer_id: Uuid,
    pub amount: Money,
    /// What is still owed on the invoice after this payment.
    pub invoice_outstanding: Money,
    pub paid_at: DateTime<Utc>,
}

impl IntegrationEvent for DealerPaymentRecorded {
    const NAME: &'static str = "manufacturer.dealer_payment_recorded.v1";
    const SOURCE: &'static str = SOURCE;
    fn aggregate_id(&self) -> String {
        self.invoice_id.to_string()
    }
}
