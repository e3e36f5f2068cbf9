//! Sales orders as they go on after the sale (`sales` opens them): reads, a manager's
//! approval, cancellation.

use super::Services;
use crate::domain::sales_orders::OrderAction;
use crate::store::{instalments, inventory_units, sale_contracts, sales_orders, Visibility};
use contracts::{events::dealer as events, Money};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, DomainResult, Lifecycle, WriteTxn,
};
use sea_orm::{ColumnTrait, ConnectionTrait};
use uuid::Uuid;

pub use crate::store::sales_orders::OrderFilter;

/// An order with what is owed and what may be done next; single reads add the schedule and the
/// contract.
pub struct OrderView {
    pub order: sales_orders::Model,
    pub outstanding: Money,
    pub allowed_actions: Vec<String>,
    pub schedule: Option<Vec<InstalmentView>>,
    pub contract: Option<sale_contracts::Model>,
}

pub struct InstalmentView {
    pub row: instalments::Model,
    pub overdue: bool,
}

fn summary(order: sales_orders::Model) -> DomainResult<OrderView> {
    let balance = order.balance();
    Ok(OrderView {
        outstanding: balance.outstanding()?,
        allowed_actions: order.status.actions_for(balance.paid),
        order,
        schedule: None,
        contract: None,
    })
}

/// The order with its instalment schedule and contract.
pub async fn detailed(
    db: &impl ConnectionTrait,
    order: sales_orders::Model,
) -> DomainResult<OrderView> {
    let today = chrono::Utc::now().date_naive();
    let schedule = instalments::of_order(db, order.id)
        .await?
        .into_iter()
        .map(|row| InstalmentView {
            overdue: row.instalment().is_overdue(today),
            row,
        })
        .collect();
    let contract = sale_contracts::of_order(db, order.id).await?;
    let mut view = summary(order)?;
    view.schedule = Some(schedule);
    view.contract = contract;
    Ok(view)
}

/// An order the caller may see (dealer staff: their own), or 404.
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<sales_orders::Model> {
    kernel::store::find_visible::<sales_orders::Entity>(db, id, "sales order", |o| {
        caller.can_see_document(o.dealer_id, o.staff_id)
    })
    .await
}

/// The order as the caller sees it now, in detail.
pub async fn get(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let db = services.db.conn();
    detailed(db, visible(db, caller, id).await?).await
}

/// Sales orders: dealer staff see their own, managers their dealer's.
pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &OrderFilter,
    params: &ListParams,
) -> DomainResult<Page<OrderView>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    let Page {
        items,
        page,
        page_size,
        total,
    } = sales_orders::list(services.db.conn(), scope, filter, params).await?;
    let items = items
        .into_iter()
        .map(summary)
        .collect::<DomainResult<_>>()?;
    Ok(Page {
        items,
        page,
        page_size,
        total,
    })
}

/// Announces the approval (also of an order approved as it is opened).
pub(super) async fn publish_approved(
    txn: &mut WriteTxn,
    order: &sales_orders::Model,
    by: Uuid,
) -> DomainResult<()> {
    let event = events::SalesOrderApproved {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        approved_by: by,
    };
    kernel::events::publish(txn, &event).await?;
    Ok(())
}

/// A manager approves an order whose discount needed it.
pub async fn approve(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let db = services.db.conn();
    let order = visible(db, caller, id).await?;
    let next = order.status.apply(OrderAction::Approve)?;
    let mut txn = services.db.begin().await?;
    StatusChange::<sales_orders::Entity>::new(id, order.status, next)
        .set(sales_orders::Column::ApprovedBy, caller.subject)
        .exec(&*txn)
        .await?;
    publish_approved(&mut txn, &order, caller.subject).await?;
    txn.commit().await?;
    get(services, caller, id).await
}

/// Cancels an order while nothing was paid (see `SalesOrderStatus::check_cancel`); its VIN goes
/// back in stock and its contract is cancelled with it.
pub async fn cancel(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    reason: String,
) -> DomainResult<OrderView> {
    let db = services.db.conn();
    let order = visible(db, caller, id).await?;
    let next = order.status.check_cancel(order.balance().paid)?;
    let mut txn = services.db.begin().await?;
    // A payment recorded meanwhile leaves the status as it was: the paid total is checked too.
    StatusChange::<sales_orders::Entity>::new(id, order.status, next)
        .set(sales_orders::Column::StatusReason, reason.clone())
        .only_if(sales_orders::Column::PaidTotal.eq(0))
        .exec(&*txn)
        .await?;
    inventory_units::release(&*txn, order.id).await?;
    sale_contracts::cancel_of_order(&*txn, order.id).await?;
    let event = events::SalesOrderCancelled {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        released_vin: order.vin.clone(),
        reason,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(services, caller, id).await
}
