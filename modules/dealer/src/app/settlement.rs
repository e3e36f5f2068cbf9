//! From an approved order to a delivered vehicle: contract, signature, delivery booking and
//! hand-over (payments are in `payments`).

use super::{
    sales_orders::{get, visible, OrderView},
    Services,
};
use crate::domain::{
    documents, inventory::UnitStatus, sale_contracts::ContractStatus, sales_orders::OrderAction,
};
use crate::store::{catalog_variants, dealers, inventory_units, sale_contracts, sales_orders};
use chrono::{DateTime, Utc};
use contracts::{events::dealer as events, Money};
use kernel::{store::StatusChange, Caller, DomainError, DomainResult, ErrorCode, Lifecycle};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set, SqlErr};
use uuid::Uuid;

/// Drafts the sales contract of an approved order (one per order).
pub async fn draft_contract(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    terms: Option<String>,
) -> DomainResult<OrderView> {
    let order = visible(services.db.conn(), caller, id).await?;
    order.status.apply(OrderAction::Contract)?;
    let contract_id = Uuid::now_v7();
    let now = Utc::now();
    let txn = services.db.begin().await?;
    let drafted = sale_contracts::ActiveModel {
        id: Set(contract_id),
        number: Set(documents::number("SC", contract_id, now.date_naive())),
        order_id: Set(order.id),
        status: Set(ContractStatus::Draft),
        terms: Set(terms),
        signed_at: Set(None),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await;
    match drafted {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(DomainError::conflict(
                ErrorCode::ContractExists,
                "this order already has a contract",
            ));
        }
        Err(error) => return Err(error.into()),
    }
    txn.commit().await?;
    get(services, caller, id).await
}

/// The customer signs the drafted contract; the order is then contracted and can be paid.
pub async fn sign(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let db = services.db.conn();
    let order = visible(db, caller, id).await?;
    let next = order.status.apply(OrderAction::Sign)?;
    let now = Utc::now();
    let mut txn = services.db.begin().await?;
    let contract = sale_contracts::of_order(&*txn, order.id)
        .await?
        .filter(|c| c.status == ContractStatus::Draft)
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::NoContract,
                "draft the contract before signing it",
            )
        })?;
    StatusChange::<sales_orders::Entity>::new(id, order.status, next)
        .exec(&*txn)
        .await?;
    if !sale_contracts::sign(&*txn, contract.id, now).await? {
        return Err(DomainError::changed_meanwhile("contract"));
    }
    let event = events::ContractSigned {
        contract_id: contract.id,
        contract_number: contract.number,
        order_id: order.id,
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        total: Money(order.total),
        signed_at: now,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(services, caller, id).await
}

/// Books the hand-over of a paid vehicle.
pub async fn schedule_delivery(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<OrderView> {
    let order = visible(services.db.conn(), caller, id).await?;
    let next = order.status.apply(OrderAction::ScheduleDelivery)?;
    let txn = services.db.begin().await?;
    StatusChange::<sales_orders::Entity>::new(id, order.status, next)
        .set(sales_orders::Column::DeliveryScheduledAt, at)
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    get(services, caller, id).await
}

/// Hands the vehicle over: the unit is delivered and the sale complete; the sale is announced
/// with what reports need (region, model, list price, discounts, cost).
pub async fn deliver(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let order = visible(services.db.conn(), caller, id).await?;
    let next = order.status.apply(OrderAction::Deliver)?;
    let now = Utc::now();
    let mut txn = services.db.begin().await?;
    StatusChange::<sales_orders::Entity>::new(id, order.status, next)
        .set(sales_orders::Column::DeliveredAt, now)
        .exec(&*txn)
        .await?;
    inventory_units::set_status_of_order(&*txn, order.id, UnitStatus::Delivered).await?;
    let event = delivered(&*txn, &order, now).await?;
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(services, caller, id).await
}

async fn delivered(
    db: &impl ConnectionTrait,
    order: &sales_orders::Model,
    at: DateTime<Utc>,
) -> DomainResult<events::VehicleDelivered> {
    let breakdown = &order.breakdown;
    let discount = breakdown
        .discount()
        .ok_or_else(|| DomainError::Internal(anyhow::anyhow!("the discounts overflow")))?;
    let region = dealers::find(db, order.dealer_id)
        .await?
        .map(|d| d.region)
        .unwrap_or_default();
    let model_id = catalog_variants::find(db, order.variant_id)
        .await?
        .map(|v| v.model_id);
    let unit = inventory_units::of_order(db, order.id).await?;
    Ok(events::VehicleDelivered {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        branch_id: order.branch_id,
        customer_id: order.customer_id,
        staff_id: order.staff_id,
        vin: order.vin.clone().unwrap_or_default(),
        variant_id: order.variant_id,
        colour_id: order.colour_id,
        total: Money(order.total),
        delivered_at: at,
        region,
        model_id,
        list_price: breakdown.subtotal,
        discount,
        tax: breakdown.tax,
        cost: Money(unit.as_ref().map_or(0, |u| u.cost)),
        promotions: breakdown
            .promotions
            .iter()
            .map(|p| events::PromotionApplied {
                promotion_id: p.promotion_id,
                name: p.name.clone(),
                source: p.source.clone(),
                amount: p.amount,
            })
            .collect(),
        received_at: unit.and_then(|u| u.received_at),
    })
}
