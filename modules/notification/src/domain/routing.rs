//! THE routing table: which event is told to whom, on which channels, under which category.
//! The README's "Notifications" section mirrors it.

use super::reminders;
use super::Channel::{self, Email, InApp, Sms};
use contracts::events::{auth, customer, dealer, manufacturer};
use contracts::IntegrationEvent;
use uuid::Uuid;

/// Who receives a message, before looking people up in the local directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// One user (the one registered, the assignee, the salesperson).
    User(Uuid),
    /// The active dealer managers of that dealer, and no other dealer's.
    DealerManagers(Uuid),
    /// The manufacturer's staff.
    EvmStaff,
    /// A customer, on the channels they consented to.
    Customer(Uuid),
}

/// The preference category of a message; `security` cannot be turned off.
pub mod category {
    pub const ACCOUNT: &str = "account";
    pub const SECURITY: &str = "security";
    pub const DEALER_ORDERS: &str = "dealer_orders";
    pub const STOCK: &str = "stock";
    pub const FINANCE: &str = "finance";
    pub const SALES: &str = "sales";
    pub const PAYMENTS: &str = "payments";
    pub const TEST_DRIVES: &str = "test_drives";
    pub const FEEDBACK: &str = "feedback";
    pub const ALL: &[&str] = &[
        ACCOUNT,
        SECURITY,
        DEALER_ORDERS,
        STOCK,
        FINANCE,
        SALES,
        PAYMENTS,
        TEST_DRIVES,
        FEEDBACK,
    ];
}

/// One group of recipients of an event and the channels they get it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    pub audience: Audience,
    pub channels: &'static [Channel],
}

/// What the routing table says about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub category: &'static str,
    pub recipients: Vec<Recipients>,
}

/// Every routed event and the channels it may use (for templates, checked by a test against
/// [`route`]).
pub const ROUTED: &[(&str, &str, &[Channel])] = &[
    (auth::UserRegistered::NAME, category::ACCOUNT, &[Email]),
    (
        auth::PasswordResetRequested::NAME,
        category::SECURITY,
        &[Email],
    ),
    (
        manufacturer::DealerOrderPlaced::NAME,
        category::DEALER_ORDERS,
        &[InApp],
    ),
    (
        manufacturer::DealerOrderApproved::NAME,
        category::DEALER_ORDERS,
        &[Email, InApp],
    ),
    (
        manufacturer::VehiclesAllocated::NAME,
        category::DEALER_ORDERS,
        &[InApp],
    ),
    (
        manufacturer::DealerOrderShipped::NAME,
        category::DEALER_ORDERS,
        &[Email, InApp],
    ),
    (
        manufacturer::DealerOrderDelivered::NAME,
        category::DEALER_ORDERS,
        &[InApp],
    ),
    (
        manufacturer::DealerOrderDisputed::NAME,
        category::DEALER_ORDERS,
        &[Email, InApp],
    ),
    (
        manufacturer::OemStockLow::NAME,
        category::STOCK,
        &[Email, InApp],
    ),
    (
        manufacturer::InvoiceOverdue::NAME,
        category::FINANCE,
        &[Email, InApp],
    ),
    (dealer::QuotationSent::NAME, category::SALES, &[Email]),
    (dealer::SalesOrderCreated::NAME, category::SALES, &[InApp]),
    (dealer::SalesOrderApproved::NAME, category::SALES, &[Email]),
    (dealer::PaymentReceived::NAME, category::PAYMENTS, &[Email]),
    (
        dealer::InstalmentOverdue::NAME,
        category::PAYMENTS,
        &[Sms, Email, InApp],
    ),
    (
        dealer::VehicleDelivered::NAME,
        category::SALES,
        &[Email, InApp],
    ),
    (
        dealer::DealerStockLow::NAME,
        category::STOCK,
        &[Email, InApp],
    ),
    (
        customer::TestDriveScheduled::NAME,
        category::TEST_DRIVES,
        &[Email, Sms],
    ),
    (
        reminders::TEST_DRIVE_REMINDER,
        category::TEST_DRIVES,
        &[Email, Sms, InApp],
    ),
    (
        reminders::INSTALMENT_DUE_SOON,
        category::PAYMENTS,
        &[Email, Sms],
    ),
    (customer::ComplaintFiled::NAME, category::FEEDBACK, &[InApp]),
    (
        customer::ComplaintAssigned::NAME,
        category::FEEDBACK,
        &[Email, InApp],
    ),
];

/// The category of a routed event.
pub fn category_of(event: &str) -> Option<&'static str> {
    ROUTED.iter().find(|(e, _, _)| *e == event).map(|r| r.1)
}

fn to(audience: Audience, channels: &'static [Channel]) -> Recipients {
    Recipients { audience, channels }
}

fn decode<E: IntegrationEvent>(payload: &serde_json::Value) -> anyhow::Result<E> {
    Ok(serde_json::from_value(payload.clone())?)
}

/// Whom `event` (by name, with its payload) is told to; `None` for events no one is told about.
pub fn route(event: &str, payload: &serde_json::Value) -> anyhow::Result<Option<Route>> {
    use Audience::*;
    let Some(category) = category_of(event) else {
        return Ok(None);
    };
    let recipients = match event {
        auth::UserRegistered::NAME => {
            let e: auth::UserRegistered = decode(payload)?;
            vec![to(User(e.user_id), &[Email])]
        }
        auth::PasswordResetRequested::NAME => {
            let e: auth::PasswordResetRequested = decode(payload)?;
            vec![to(User(e.user_id), &[Email])]
        }
        manufacturer::DealerOrderPlaced::NAME => vec![to(EvmStaff, &[InApp])],
        manufacturer::DealerOrderApproved::NAME => {
            let e: manufacturer::DealerOrderApproved = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[Email, InApp])]
        }
        manufacturer::VehiclesAllocated::NAME => {
            let e: manufacturer::VehiclesAllocated = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[InApp])]
        }
        manufacturer::DealerOrderShipped::NAME => {
            let e: manufacturer::DealerOrderShipped = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[Email, InApp])]
        }
        manufacturer::DealerOrderDelivered::NAME => vec![to(EvmStaff, &[InApp])],
        manufacturer::DealerOrderDisputed::NAME => vec![to(EvmStaff, &[Email, InApp])],
        manufacturer::OemStockLow::NAME => vec![to(EvmStaff, &[Email, InApp])],
        manufacturer::InvoiceOverdue::NAME => {
            let e: manufacturer::InvoiceOverdue = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[Email, InApp])]
        }
        dealer::QuotationSent::NAME => {
            let e: dealer::QuotationSent = decode(payload)?;
            vec![to(Customer(e.customer_id), &[Email])]
        }
        dealer::SalesOrderCreated::NAME => {
            let e: dealer::SalesOrderCreated = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[InApp])]
        }
        dealer::SalesOrderApproved::NAME => {
            let e: dealer::SalesOrderApproved = decode(payload)?;
            vec![to(Customer(e.customer_id), &[Email])]
        }
        dealer::PaymentReceived::NAME => {
            let e: dealer::PaymentReceived = decode(payload)?;
            vec![to(Customer(e.customer_id), &[Email])]
        }
        dealer::InstalmentOverdue::NAME => {
            let e: dealer::InstalmentOverdue = decode(payload)?;
            vec![
                to(Customer(e.customer_id), &[Sms, Email]),
                to(DealerManagers(e.dealer_id), &[InApp]),
            ]
        }
        dealer::VehicleDelivered::NAME => {
            let e: dealer::VehicleDelivered = decode(payload)?;
            vec![
                to(Customer(e.customer_id), &[Email]),
                to(User(e.staff_id), &[InApp]),
            ]
        }
        dealer::DealerStockLow::NAME => {
            let e: dealer::DealerStockLow = decode(payload)?;
            vec![to(DealerManagers(e.dealer_id), &[Email, InApp])]
        }
        customer::TestDriveScheduled::NAME => {
            let e: customer::TestDriveScheduled = decode(payload)?;
            vec![to(Customer(e.customer_id), &[Email, Sms])]
        }
        reminders::TEST_DRIVE_REMINDER => {
            let e: reminders::TestDriveReminder = decode(payload)?;
            let mut out = vec![to(Customer(e.customer_id), &[Email, Sms])];
            out.extend(e.staff_id.map(|staff| to(User(staff), &[InApp])));
            out
        }
        reminders::INSTALMENT_DUE_SOON => {
            let e: reminders::InstalmentDueSoon = decode(payload)?;
            vec![to(Customer(e.customer_id), &[Email, Sms])]
        }
        customer::ComplaintFiled::NAME => {
            let e: customer::ComplaintFiled = decode(payload)?;
            let mut out = vec![to(DealerManagers(e.dealer_id), &[InApp])];
            out.extend(e.assigned_to.map(|user| to(User(user), &[InApp])));
            out
        }
        customer::ComplaintAssigned::NAME => {
            let e: customer::ComplaintAssigned = decode(payload)?;
            vec![to(User(e.assigned_to), &[Email, InApp])]
        }
        other => anyhow::bail!("{other} is in ROUTED but has no recipients"),
    };
    Ok(Some(Route {
        category,
        recipients,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::samples::sample_payload;

    #[test]
    fn every_routed_event_decodes_its_sample_and_uses_only_its_channels() {
        for (event, category, channels) in ROUTED {
            let payload = sample_payload(event).unwrap();
            let route = route(event, &payload).unwrap().unwrap();
            assert_eq!(route.category, *category);
            let used: Vec<Channel> = route
                .recipients
                .iter()
                .flat_map(|r| r.channels.iter().copied())
                .collect();
            for channel in *channels {
                assert!(used.contains(channel), "{event} never uses {channel}");
            }
            for channel in used {
                assert!(
                    channels.contains(&channel),
                    "{event} uses undeclared {channel}"
                );
            }
        }
    }

    #[test]
    fn dealer_events_go_to_that_dealers_managers_only() {
        let dealer = Uuid::now_v7();
        let payload = serde_json::json!({
            "orderId": Uuid::now_v7(), "orderNumber": "DO-1", "dealerId": dealer,
            "approvedBy": Uuid::now_v7(), "total": 100,
        });
        let route = route(manufacturer::DealerOrderApproved::NAME, &payload)
            .unwrap()
            .unwrap();
        assert_eq!(
            route.recipients,
            vec![to(Audience::DealerManagers(dealer), &[Email, InApp])]
        );
    }

    #[test]
    fn unrouted_events_tell_no_one() {
        assert_eq!(
            route(customer::LeadCreated::NAME, &serde_json::json!({})).unwrap(),
            None
        );
    }
}
