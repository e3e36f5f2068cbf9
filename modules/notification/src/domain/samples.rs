//! A sample payload of every routed event, built from the `contracts` types so that it has
//! exactly the event's fields: the variables a template may use, and what a preview renders.

use contracts::events::{auth, customer, dealer, manufacturer};
use contracts::{money::Money, IntegrationEvent};
use serde_json::Value;
use uuid::Uuid;

const ID: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_5a00);

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_767_261_600, 0).unwrap_or_default()
}

fn day() -> chrono::NaiveDate {
    at().date_naive()
}

fn unit() -> manufacturer::VehicleUnit {
    manufacturer::VehicleUnit {
        vin: "5YJ3E1EA0KF317000".into(),
        variant_id: ID,
        colour_id: ID,
        unit_price: Money(95_000_000),
    }
}

fn json<E: IntegrationEvent>(event: E) -> Option<Value> {
    serde_json::to_value(event).ok()
}

/// The sample payload of `event`, or `None` if it is not routed.
pub fn sample_payload(event: &str) -> Option<Value> {
    match event {
        auth::UserRegistered::NAME => json(auth::UserRegistered {
            user_id: ID,
            email: "mara@dealer.example".into(),
            name: "Mara Manager".into(),
            role: "dealer_manager".into(),
            dealer_id: Some(ID),
            branch_id: None,
        }),
        auth::PasswordResetRequested::NAME => json(auth::PasswordResetRequested {
            user_id: ID,
            email: "mara@dealer.example".into(),
            name: "Mara Manager".into(),
            sealed_reset_token: "sample-sealed-token".into(),
            expires_at: at(),
        }),
        manufacturer::DealerOrderPlaced::NAME => json(manufacturer::DealerOrderPlaced {
            order_id: ID,
            order_number: "DO-2026-0001".into(),
            dealer_id: ID,
            placed_by: ID,
            lines: vec![manufacturer::DealerOrderLine {
                variant_id: ID,
                colour_id: ID,
                quantity: 3,
                unit_price: Money(95_000_000),
            }],
            total: Money(285_000_000),
        }),
        manufacturer::DealerOrderApproved::NAME => json(manufacturer::DealerOrderApproved {
            order_id: ID,
            order_number: "DO-2026-0001".into(),
            dealer_id: ID,
            approved_by: ID,
            total: Money(285_000_000),
        }),
        manufacturer::VehiclesAllocated::NAME => json(manufacturer::VehiclesAllocated {
            order_id: ID,
            dealer_id: ID,
            units: vec![unit()],
        }),
        manufacturer::DealerOrderShipped::NAME => json(manufacturer::DealerOrderShipped {
            order_id: ID,
            order_number: "DO-2026-0001".into(),
            dealer_id: ID,
            units: vec![unit()],
            invoice_id: ID,
            invoice_number: "INV-2026-0001".into(),
            invoice_amount: Money(285_000_000),
            invoice_due_date: day(),
            shipped_at: at(),
        }),
        manufacturer::DealerOrderDelivered::NAME => json(manufacturer::DealerOrderDelivered {
            order_id: ID,
            dealer_id: ID,
            vins: vec![unit().vin],
            delivered_at: at(),
        }),
        manufacturer::DealerOrderDisputed::NAME => json(manufacturer::DealerOrderDisputed {
            order_id: ID,
            order_number: "DO-2026-0001".into(),
            dealer_id: ID,
            reason: "Two units arrived with scratched doors".into(),
            disputed_by: ID,
            disputed_at: at(),
        }),
        manufacturer::OemStockLow::NAME => json(manufacturer::OemStockLow {
            variant_id: ID,
            colour_id: ID,
            available: 2,
            threshold: 5,
        }),
        manufacturer::InvoiceOverdue::NAME => json(manufacturer::InvoiceOverdue {
            invoice_id: ID,
            invoice_number: "INV-2026-0001".into(),
            dealer_id: ID,
            outstanding: Money(100_000_000),
            due_date: day(),
        }),
        super::digest::TEMPLATE => Some(super::digest::sample_payload()),
        _ => retail_sample(event),
    }
}

fn retail_sample(event: &str) -> Option<Value> {
    match event {
        dealer::QuotationSent::NAME => json(dealer::QuotationSent {
            quotation_id: ID,
            quotation_number: "Q-2026-0001".into(),
            dealer_id: ID,
            branch_id: None,
            customer_id: ID,
            staff_id: ID,
            variant_id: ID,
            colour_id: ID,
            total: Money(120_000_000),
            valid_until: day(),
        }),
        dealer::SalesOrderCreated::NAME => json(dealer::SalesOrderCreated {
            order_id: ID,
            order_number: "SO-2026-0001".into(),
            dealer_id: ID,
            branch_id: None,
            customer_id: ID,
            staff_id: ID,
            quotation_id: None,
            variant_id: ID,
            colour_id: ID,
            vin: unit().vin,
            total: Money(120_000_000),
            payment_plan: "full".into(),
            payable: Money(120_000_000),
            instalments: vec![],
        }),
        dealer::SalesOrderApproved::NAME => json(dealer::SalesOrderApproved {
            order_id: ID,
            order_number: "SO-2026-0001".into(),
            dealer_id: ID,
            customer_id: ID,
            approved_by: ID,
        }),
        dealer::PaymentReceived::NAME => json(dealer::PaymentReceived {
            payment_id: ID,
            order_id: ID,
            dealer_id: ID,
            customer_id: ID,
            amount: Money(20_000_000),
            method: "transfer".into(),
            paid_total: Money(20_000_000),
            outstanding: Money(100_000_000),
            received_at: at(),
        }),
        dealer::InstalmentOverdue::NAME => json(dealer::InstalmentOverdue {
            order_id: ID,
            dealer_id: ID,
            customer_id: ID,
            instalment_number: 2,
            due_date: day(),
            amount_due: Money(10_000_000),
        }),
        dealer::VehicleDelivered::NAME => json(dealer::VehicleDelivered {
            order_id: ID,
            order_number: "SO-2026-0001".into(),
            dealer_id: ID,
            branch_id: None,
            customer_id: ID,
            staff_id: ID,
            vin: unit().vin,
            variant_id: ID,
            colour_id: ID,
            total: Money(120_000_000),
            delivered_at: at(),
            region: "South".into(),
            model_id: Some(ID),
            list_price: Money(118_000_000),
            discount: Money(7_090_909),
            tax: Money(10_909_091),
            cost: Money(100_000_000),
            promotions: vec![],
            received_at: Some(at()),
        }),
        dealer::DealerStockLow::NAME => json(dealer::DealerStockLow {
            dealer_id: ID,
            variant_id: ID,
            colour_id: ID,
            in_stock: 1,
            threshold: 3,
        }),
        customer::TestDriveScheduled::NAME => json(customer::TestDriveScheduled {
            test_drive_id: ID,
            dealer_id: ID,
            branch_id: ID,
            customer_id: ID,
            variant_id: ID,
            vin: None,
            starts_at: at(),
            ends_at: at(),
            staff_id: Some(ID),
        }),
        customer::ComplaintFiled::NAME => json(customer::ComplaintFiled {
            feedback_id: ID,
            dealer_id: ID,
            customer_id: Some(ID),
            kind: "complaint".into(),
            severity: "high".into(),
            channel: "phone".into(),
            assigned_to: None,
        }),
        customer::ComplaintAssigned::NAME => json(customer::ComplaintAssigned {
            feedback_id: ID,
            dealer_id: ID,
            customer_id: Some(ID),
            kind: "complaint".into(),
            severity: "high".into(),
            assigned_to: ID,
            assigned_by: ID,
        }),
        _ => super::reminders::sample_payload(event, ID, at()),
    }
}
