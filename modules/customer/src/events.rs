//! Handlers for the events the customer module consumes. Each runs inside its inbox transaction,
//! so a redelivered event has no second effect; each only decodes and calls a use case.

use crate::app::{directory, leads};
use crate::domain::{schedule::WeeklyHours, timeline::timeline_entry};
use crate::store::timeline::TimelineStore;
use contracts::{
    events::{auth, customer, dealer, manufacturer},
    IntegrationEvent,
};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use std::sync::Arc;

const SCHEMA: &str = contracts::modules::CUSTOMER;

/// Keeps the drivable catalog.
pub struct CatalogCopy;

#[async_trait::async_trait]
impl EventHandler for CatalogCopy {
    fn name(&self) -> &'static str {
        "customer.catalog_copy"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[manufacturer::VariantPublished::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        Ok(directory::variant_published(&**txn, &event.decode()?).await?)
    }
}

/// Learns of dealer branches (default hours until a manager sets them).
pub struct BranchDirectory;

#[async_trait::async_trait]
impl EventHandler for BranchDirectory {
    fn name(&self) -> &'static str {
        "customer.branch_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::BranchOpened::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let opened: dealer::BranchOpened = event.decode()?;
        Ok(directory::branch_opened(
            &**txn,
            opened.branch_id,
            opened.dealer_id,
            &WeeklyHours::default(),
        )
        .await?)
    }
}

/// Learns of the dealers, so an administrator acting for one names one that exists.
pub struct DealerDirectory;

#[async_trait::async_trait]
impl EventHandler for DealerDirectory {
    fn name(&self) -> &'static str {
        "customer.dealer_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::DealerProfileChanged::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        Ok(directory::dealer_changed(&**txn, &event.decode()?).await?)
    }
}

/// Learns which dealer each VIN belongs to and whether it is at the dealer, so a test drive
/// books only a vehicle of the caller's dealer.
pub struct VehicleDirectory;

#[async_trait::async_trait]
impl EventHandler for VehicleDirectory {
    fn name(&self) -> &'static str {
        "customer.vehicle_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            manufacturer::VehiclesAllocated::NAME,
            manufacturer::DealerOrderShipped::NAME,
            manufacturer::DealerOrderDelivered::NAME,
            dealer::VehicleDelivered::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let db = &**txn;
        match event.name.as_str() {
            manufacturer::VehiclesAllocated::NAME => {
                let allocated: manufacturer::VehiclesAllocated = event.decode()?;
                directory::units_allocated(db, allocated.dealer_id, &allocated.units).await?;
            }
            manufacturer::DealerOrderShipped::NAME => {
                let shipped: manufacturer::DealerOrderShipped = event.decode()?;
                directory::units_allocated(db, shipped.dealer_id, &shipped.units).await?;
            }
            manufacturer::DealerOrderDelivered::NAME => {
                directory::units_received(db, &event.decode()?).await?;
            }
            _ => directory::vehicle_handed_over(db, &event.decode()?).await?,
        }
        Ok(())
    }
}

/// Learns the people of each dealer, so an owner or assignee is one of the caller's dealer.
pub struct PeopleDirectory;

#[async_trait::async_trait]
impl EventHandler for PeopleDirectory {
    fn name(&self) -> &'static str {
        "customer.people_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[auth::UserRegistered::NAME, auth::UserDeactivated::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        if event.name == auth::UserDeactivated::NAME {
            directory::user_deactivated(&**txn, &event.decode()?).await?;
        } else {
            directory::user_registered(&**txn, &event.decode()?).await?;
        }
        Ok(())
    }
}

/// Records the customer's timeline from the dealer's sales events and the module's own.
pub struct TimelineFeed(pub Arc<dyn TimelineStore>);

#[async_trait::async_trait]
impl EventHandler for TimelineFeed {
    fn name(&self) -> &'static str {
        "customer.timeline"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            dealer::QuotationSent::NAME,
            dealer::SalesOrderCreated::NAME,
            dealer::ContractSigned::NAME,
            dealer::PaymentReceived::NAME,
            dealer::VehicleDelivered::NAME,
            dealer::SalesOrderCancelled::NAME,
            customer::LeadCreated::NAME,
            customer::LeadStageChanged::NAME,
            customer::TestDriveScheduled::NAME,
            customer::TestDriveCompleted::NAME,
            customer::ComplaintFiled::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let Some(entry) = timeline_entry(event)? else {
            return Ok(()); // e.g. feedback not tied to a customer
        };
        self.0.append(txn, &entry).await
    }
}

/// A delivered vehicle wins the customer's open leads at that dealer.
pub struct LeadsWonOnDelivery;

#[async_trait::async_trait]
impl EventHandler for LeadsWonOnDelivery {
    fn name(&self) -> &'static str {
        "customer.leads_won_on_delivery"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::VehicleDelivered::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let delivered: dealer::VehicleDelivered = event.decode()?;
        Ok(leads::win_on_delivery(
            txn,
            delivered.dealer_id,
            delivered.customer_id,
            &delivered.order_number,
        )
        .await?)
    }
}
