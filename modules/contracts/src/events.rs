//! Integration events: the only way modules learn of each other's changes.
//!
//! Each event type carries its registered name (`<module>.<event>.v<version>`) as a constant;
//! [`REGISTRY`] lists every name, and start-up refuses a publication or subscription to a name
//! that is not in it.

use serde::{de::DeserializeOwned, Serialize};

pub mod auth;
pub mod customer;
pub mod dealer;
pub mod manufacturer;

/// A versioned event name and the module allowed to publish it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventName {
    pub name: &'static str,
    pub source: &'static str,
}

/// An event type that crosses module boundaries.
pub trait IntegrationEvent: Serialize + DeserializeOwned + Send + Sync {
    /// Registered name with version, e.g. `auth.user_registered.v1`.
    const NAME: &'static str;
    /// The module that owns (and alone publishes) the event.
    const SOURCE: &'static str;
    /// The id of the aggregate the event is about; events of one aggregate are delivered in order.
    fn aggregate_id(&self) -> String;

    fn event_name() -> EventName {
        EventName {
            name: Self::NAME,
            source: Self::SOURCE,
        }
    }
}

macro_rules! registry {
    ($($ty:path),* $(,)?) => {
        /// Every registered integration event name.
        pub const REGISTRY: &[EventName] = &[
            $(EventName { name: <$ty as IntegrationEvent>::NAME, source: <$ty as IntegrationEvent>::SOURCE }),*
        ];
    };
}

registry![
    auth::UserRegistered,
    auth::PasswordResetRequested,
    auth::UserDeactivated,
    manufacturer::VariantPublished,
    manufacturer::PriceChanged,
    manufacturer::PromotionChanged,
    manufacturer::DealerOrderPlaced,
    manufacturer::DealerOrderApproved,
    manufacturer::VehiclesAllocated,
    manufacturer::DealerOrderShipped,
    manufacturer::DealerOrderDelivered,
    manufacturer::DealerOrderDisputed,
    manufacturer::OemStockLow,
    manufacturer::InvoiceOverdue,
    manufacturer::DealerPaymentRecorded,
    dealer::QuotationSent,
    dealer::SalesOrderCreated,
    dealer::SalesOrderApproved,
    dealer::ContractSigned,
    dealer::PaymentReceived,
    dealer::InstalmentOverdue,
    dealer::VehicleDelivered,
    dealer::SalesOrderCancelled,
    dealer::DealerStockLow,
    dealer::BranchOpened,
    dealer::DealerProfileChanged,
    dealer::SalesTargetSet,
    customer::CustomerCreated,
    customer::CustomerUpdated,
    customer::CustomerErased,
    customer::LeadCreated,
    customer::LeadStageChanged,
    customer::TestDriveScheduled,
    customer::TestDriveCancelled,
    customer::TestDriveCompleted,
    customer::ComplaintFiled,
    customer::ComplaintAssigned,
];

/// The registered name of an event type, for the subscriptions table.
macro_rules! name {
    ($ty:path) => {
        <$ty as IntegrationEvent>::NAME
    };
}

/// Which module consumes which events. Every process declares the broker topology from this
/// table (so events wait in RabbitMQ while their consumer is down), and start-up refuses a
/// handler whose subscription is missing here.
pub const SUBSCRIPTIONS: &[(&str, &[&str])] = &[
    (
        // Which dealer each branch belongs to (a user's branch must be their dealer's).
        crate::modules::AUTH,
        &[name!(dealer::BranchOpened)],
    ),
    (
        // The people it writes to (users, customers), dealers' time zones (SMS quiet hours) and
        // every event someone is told about.
        crate::modules::NOTIFICATION,
        &[
            name!(dealer::DealerProfileChanged),
            name!(auth::UserRegistered),
            name!(auth::UserDeactivated),
            name!(auth::PasswordResetRequested),
            name!(customer::CustomerCreated),
            name!(customer::CustomerUpdated),
            name!(customer::CustomerErased),
            name!(manufacturer::DealerOrderPlaced),
            name!(manufacturer::DealerOrderApproved),
            name!(manufacturer::VehiclesAllocated),
            name!(manufacturer::DealerOrderShipped),
            name!(manufacturer::DealerOrderDelivered),
            name!(manufacturer::DealerOrderDisputed),
            name!(manufacturer::OemStockLow),
            name!(manufacturer::InvoiceOverdue),
            name!(dealer::QuotationSent),
            name!(dealer::SalesOrderCreated),
            name!(dealer::SalesOrderApproved),
            name!(dealer::PaymentReceived),
            name!(dealer::InstalmentOverdue),
            name!(dealer::VehicleDelivered),
            name!(dealer::DealerStockLow),
            name!(customer::TestDriveScheduled),
            // Reminders: instalments settled or orders cancelled, drives called off or done.
            name!(dealer::SalesOrderCancelled),
            name!(customer::TestDriveCancelled),
            name!(customer::TestDriveCompleted),
            name!(customer::ComplaintFiled),
            name!(customer::ComplaintAssigned),
        ],
    ),
    (
        // Staff directory, the local catalog copy, inventory arrivals, known customers.
        crate::modules::DEALER,
        &[
            name!(auth::UserRegistered),
            name!(auth::UserDeactivated),
            name!(manufacturer::VariantPublished),
            name!(manufacturer::PriceChanged),
            name!(manufacturer::PromotionChanged),
            name!(manufacturer::DealerOrderShipped),
            name!(manufacturer::DealerOrderDelivered),
            name!(customer::CustomerCreated),
        ],
    ),
    (
        // The local catalog copy and branch directory for test drives; the directories that
        // references are checked against (dealers, their people, their vehicles by VIN); the
        // interaction timeline; leads won on delivery.
        crate::modules::CUSTOMER,
        &[
            name!(manufacturer::VariantPublished),
            name!(dealer::BranchOpened),
            name!(dealer::DealerProfileChanged),
            name!(auth::UserRegistered),
            name!(auth::UserDeactivated),
            name!(manufacturer::VehiclesAllocated),
            name!(manufacturer::DealerOrderShipped),
            name!(manufacturer::DealerOrderDelivered),
            name!(dealer::QuotationSent),
            name!(dealer::SalesOrderCreated),
            name!(dealer::ContractSigned),
            name!(dealer::PaymentReceived),
            name!(dealer::VehicleDelivered),
            name!(dealer::SalesOrderCancelled),
            // Its own events, so the timeline has one way in for every store (SQL or MongoDB).
            name!(customer::LeadCreated),
            name!(customer::LeadStageChanged),
            name!(customer::TestDriveScheduled),
            name!(customer::TestDriveCompleted),
            name!(customer::ComplaintFiled),
        ],
    ),
    (
        // Read models: sales, order pipeline, inventory, funnel, debts, targets, promotions.
        crate::modules::REPORT,
        &[
            name!(auth::UserRegistered),
            name!(manufacturer::VariantPublished),
            name!(manufacturer::PromotionChanged),
            name!(manufacturer::DealerOrderPlaced),
            name!(manufacturer::DealerOrderApproved),
            name!(manufacturer::VehiclesAllocated),
            name!(manufacturer::DealerOrderShipped),
            name!(manufacturer::DealerOrderDelivered),
            name!(manufacturer::DealerPaymentRecorded),
            name!(dealer::DealerProfileChanged),
            name!(dealer::BranchOpened),
            name!(dealer::SalesTargetSet),
            name!(dealer::SalesOrderCreated),
            name!(dealer::SalesOrderApproved),
            name!(dealer::SalesOrderCancelled),
            name!(dealer::PaymentReceived),
            name!(dealer::VehicleDelivered),
            name!(customer::LeadCreated),
            name!(customer::LeadStageChanged),
            name!(customer::TestDriveScheduled),
            name!(customer::TestDriveCompleted),
        ],
    ),
];

/// The modules that consume `name`.
pub fn consumers_of(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    SUBSCRIPTIONS
        .iter()
        .filter(move |(_, events)| events.contains(&name))
        .map(|(module, _)| *module)
}

/// Looks a name up in the registry.
pub fn lookup(name: &str) -> Option<&'static EventName> {
    REGISTRY.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn subscriptions_name_registered_events_of_other_modules() {
        for (module, events) in SUBSCRIPTIONS {
            assert!(crate::modules::ALL.contains(module));
            for name in events.iter() {
                assert!(lookup(name).is_some(), "{name} is not registered");
            }
        }
    }

    #[test]
    fn names_are_unique_versioned_and_prefixed_by_their_source() {
        let mut seen = HashSet::new();
        for event in REGISTRY {
            assert!(
                seen.insert(event.name),
                "duplicate event name {}",
                event.name
            );
            let parts: Vec<&str> = event.name.split('.').collect();
            assert_eq!(
                parts.len(),
                3,
                "{} must be <module>.<event>.v<n>",
                event.name
            );
            assert_eq!(
                parts[0], event.source,
                "{} is not prefixed by its source",
                event.name
            );
            assert!(crate::modules::ALL.contains(&event.source));
            let version = parts[2].strip_prefix('v').unwrap_or_default();
            assert!(
                version.parse::<u32>().is_ok(),
                "{} has no numeric version",
                event.name
            );
        }
    }
}
