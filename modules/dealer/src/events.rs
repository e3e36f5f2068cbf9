//! Handlers for the events the dealer module consumes. Each runs inside its inbox transaction,
//! so a redelivered event has no second effect; each only decodes and calls a use case.

use crate::app::{directory, inventory};
use contracts::{
    events::{auth, customer, manufacturer},
    IntegrationEvent,
};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};

const SCHEMA: &str = contracts::modules::DEALER;

/// Staff assignments follow auth's users: dealer users become staff of their dealer.
pub struct StaffDirectory;

#[async_trait::async_trait]
impl EventHandler for StaffDirectory {
    fn name(&self) -> &'static str {
        "dealer.staff_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[auth::UserRegistered::NAME, auth::UserDeactivated::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        if event.name == auth::UserDeactivated::NAME {
            let user: auth::UserDeactivated = event.decode()?;
            return Ok(directory::user_deactivated(&**txn, user.user_id).await?);
        }
        Ok(directory::user_registered(&**txn, event.decode()?).await?)
    }
}

/// The local copy of the catalog and OEM promotions, so quoting works without the manufacturer.
pub struct CatalogCopy;

#[async_trait::async_trait]
impl EventHandler for CatalogCopy {
    fn name(&self) -> &'static str {
        "dealer.catalog_copy"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            manufacturer::VariantPublished::NAME,
            manufacturer::PriceChanged::NAME,
            manufacturer::PromotionChanged::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let db = &**txn;
        Ok(match event.name.as_str() {
            manufacturer::VariantPublished::NAME => {
                directory::variant_published(db, event.decode()?).await
            }
            manufacturer::PriceChanged::NAME => directory::price_changed(db, event.decode()?).await,
            _ => directory::promotion_changed(db, event.decode()?).await,
        }?)
    }
}

/// Units shipped by the OEM arrive in transit; confirmed receipt puts them in stock.
pub struct InventoryArrivals;

#[async_trait::async_trait]
impl EventHandler for InventoryArrivals {
    fn name(&self) -> &'static str {
        "dealer.inventory_arrivals"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            manufacturer::DealerOrderShipped::NAME,
            manufacturer::DealerOrderDelivered::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        if event.name == manufacturer::DealerOrderDelivered::NAME {
            return Ok(inventory::received(&**txn, event.decode()?).await?);
        }
        Ok(inventory::shipped(&**txn, event.decode()?).await?)
    }
}

/// Which customers belong to which dealer (ids only).
pub struct CustomerDirectory;

#[async_trait::async_trait]
impl EventHandler for CustomerDirectory {
    fn name(&self) -> &'static str {
        "dealer.customer_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[customer::CustomerCreated::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let created: customer::CustomerCreated = event.decode()?;
        Ok(directory::customer_created(&**txn, created.customer_id, created.dealer_id).await?)
    }
}
