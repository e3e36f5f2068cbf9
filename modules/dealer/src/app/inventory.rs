//! A dealer's stock by VIN, its dashboard summary, and units arriving from the OEM.

use super::{dealers::visible, Services};
use crate::domain::inventory::UnitStatus;
use crate::store::{inventory_units, sales_orders, sales_targets};
use chrono::{Datelike, Utc};
use contracts::{events::manufacturer, Money};
use kernel::{
    pagination::{ListParams, Page},
    Caller, DomainError, DomainResult,
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use crate::store::inventory_units::UnitFilter;

pub async fn units(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
    filter: &UnitFilter,
    params: &ListParams,
) -> DomainResult<Page<inventory_units::Model>> {
    caller.ensure_dealer(dealer_id)?;
    inventory_units::list(services.db.conn(), dealer_id, filter, params).await
}

/// Stock, open orders, and this month's sales against the target.
pub struct Summary {
    pub dealer_id: Uuid,
    pub stock: Vec<(UnitStatus, i64)>,
    pub open_orders: u64,
    /// `YYYY-MM` (UTC).
    pub month: String,
    pub month_units: u64,
    pub month_revenue: Money,
    pub target: Option<sales_targets::Model>,
}

pub async fn summary(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
) -> DomainResult<Summary> {
    let db = services.db.conn();
    let dealer = visible(db, caller, dealer_id).await?;
    let now = Utc::now();
    let month = now.format("%Y-%m").to_string();
    let month_start = now
        .date_naive()
        .with_day0(0)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(now);
    let delivered = sales_orders::delivered_since(db, dealer.id, month_start).await?;
    let month_revenue = delivered
        .iter()
        .try_fold(Money::ZERO, |sum, o| sum.checked_add(Money(o.total)))
        .ok_or_else(|| DomainError::Internal(anyhow::anyhow!("monthly revenue overflows")))?;
    Ok(Summary {
        dealer_id: dealer.id,
        stock: inventory_units::count_by_status(db, dealer.id).await?,
        open_orders: sales_orders::count_open(db, dealer.id).await?,
        month_units: delivered.len() as u64,
        month_revenue,
        target: sales_targets::of_period(db, dealer.id, &month).await?,
        month,
    })
}

/// Units the OEM shipped arrive in transit (a unit already known stays as it is).
pub async fn shipped(
    db: &impl ConnectionTrait,
    shipment: manufacturer::DealerOrderShipped,
) -> DomainResult<()> {
    let now = Utc::now();
    for unit in shipment.units {
        let arriving = inventory_units::Model {
            vin: unit.vin,
            dealer_id: shipment.dealer_id,
            branch_id: None,
            variant_id: unit.variant_id,
            colour_id: unit.colour_id,
            status: UnitStatus::InTransit,
            cost: unit.unit_price.0,
            dealer_order_id: Some(shipment.order_id),
            sales_order_id: None,
            received_at: None,
            created_at: now,
            updated_at: now,
        };
        inventory_units::add_if_new(db, arriving).await?;
    }
    Ok(())
}

/// The dealer confirmed receipt: the units are in stock from then.
pub async fn received(
    db: &impl ConnectionTrait,
    delivery: manufacturer::DealerOrderDelivered,
) -> DomainResult<()> {
    inventory_units::receive(db, delivery.dealer_id, delivery.vins, delivery.delivered_at).await
}
