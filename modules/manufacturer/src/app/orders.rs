//! Dealer orders to the OEM: placed by a dealer manager under a contract in force, approved
//! within the dealer's credit, allocated VIN by VIN, shipped with an invoice, then delivered or
//! disputed and resolved.

use super::{access::dealer_filter, pricing::quote_for, stock::recheck_low_stock};
use crate::domain::{
    credit::{self, CreditUsed},
    dealer_contracts::{self as contract_rules, require_in_force},
    lifecycle::{OrderAction, OrderStatus, StockUnitStatus},
    orders as order_rules,
    stock::{match_units, parse_vins, LineNeed},
};
use crate::store::{
    dealer_invoices, dealer_order_lines, dealer_orders, finance, oem_stock,
    orders::{self, document_number},
    stock,
};
use contracts::{events::manufacturer as events, Money};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, Db, DomainError, DomainResult, ErrorCode, Lifecycle, WriteTxn,
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use crate::store::orders::OrderFilter;

/// An order with what may be done next; single reads add its lines and allocated VINs.
pub struct OrderView {
    pub order: dealer_orders::Model,
    pub allowed_actions: Vec<String>,
    pub lines: Option<Vec<dealer_order_lines::Model>>,
    pub vins: Option<Vec<String>>,
}

fn summary(order: dealer_orders::Model) -> OrderView {
    OrderView {
        allowed_actions: order.status.allowed_names(),
        order,
        lines: None,
        vins: None,
    }
}

/// The order with its lines and allocated VINs.
pub async fn detailed(
    db: &impl ConnectionTrait,
    order: dealer_orders::Model,
) -> DomainResult<OrderView> {
    let lines = orders::lines_of(db, order.id).await?;
    let vins = stock::of_order(db, order.id, None)
        .await?
        .into_iter()
        .map(|u| u.vin)
        .collect();
    let mut view = summary(order);
    view.lines = Some(lines);
    view.vins = Some(vins);
    Ok(view)
}

/// The order if the caller may see it (a dealer manager: their dealer's), else 404.
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<dealer_orders::Model> {
    kernel::store::find_visible::<dealer_orders::Entity>(db, id, "dealer order", |o| {
        caller.can_access_dealer(o.dealer_id)
    })
    .await
}

/// One order with its lines and allocated VINs.
pub async fn get(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let conn = db.conn();
    detailed(conn, visible(conn, caller, id).await?).await
}

/// Dealer orders; a dealer manager sees only their dealer's.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &OrderFilter,
    params: &ListParams,
) -> DomainResult<Page<OrderView>> {
    let dealer = dealer_filter(caller, filter.dealer_id)?;
    Ok(orders::list(db.conn(), dealer, filter, params)
        .await?
        .map(summary))
}

/// One line of a new order.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub quantity: i32,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub lines: Vec<NewLine>,
    pub note: Option<String>,
}

/// A dealer manager orders vehicles for their dealer under a contract in force, each line
/// priced at today's wholesale quote. Answers from inside its transaction, so an idempotent
/// replay returns the order as placed.
pub async fn place(db: &Db, caller: &Caller, new: NewOrder) -> DomainResult<OrderView> {
    let dealer_id = caller
        .dealer_id
        .ok_or_else(|| DomainError::Forbidden("your account belongs to no dealer".into()))?;
    let keys: Vec<(Uuid, Uuid)> = new
        .lines
        .iter()
        .map(|l| (l.variant_id, l.colour_id))
        .collect();
    order_rules::check_distinct_lines(&keys)?;
    require_in_force(finance::active_contract(db.conn(), dealer_id).await?)?;
    let mut priced = Vec::new();
    for (i, line) in new.lines.iter().enumerate() {
        let quote = quote_for(
            db.conn(),
            dealer_id,
            line.variant_id,
            line.colour_id,
            i64::from(line.quantity),
            &format!("lines[{i}]."),
        )
        .await?;
        priced.push((line, quote));
    }
    let total = order_rules::total(priced.iter().map(|(_, q)| q.total))?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let mut txn = db.begin().await?;
    let order = orders::insert(
        &*txn,
        dealer_orders::Model {
            id,
            number: document_number("DO", id),
            dealer_id,
            status: OrderStatus::Pending,
            placed_by: caller.subject,
            total: total.0,
            note: new.note,
            status_reason: None,
            invoice_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        },
    )
    .await?;
    let mut lines = Vec::new();
    for (line, quote) in &priced {
        orders::insert_line(
            &*txn,
            dealer_order_lines::Model {
                id: Uuid::now_v7(),
                order_id: order.id,
                variant_id: line.variant_id,
                colour_id: line.colour_id,
                quantity: line.quantity,
                unit_price: quote.unit_price.0,
            },
        )
        .await?;
        lines.push(events::DealerOrderLine {
            variant_id: line.variant_id,
            colour_id: line.colour_id,
            quantity: line.quantity,
            unit_price: quote.unit_price,
        });
    }
    let event = events::DealerOrderPlaced {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id,
        placed_by: caller.subject,
        lines,
        total,
    };
    kernel::events::publish(&mut txn, &event).await?;
    // Read inside the transaction: an idempotent request's answer commits with it.
    let placed = detailed(&*txn, order).await?;
    txn.commit().await?;
    Ok(placed)
}

/// OEM staff approve a pending order if the dealer's credit allows it: unpaid invoices plus
/// approved, not yet invoiced orders plus this one must stay within the limit of the contract
/// in force. A refusal changes nothing.
pub async fn approve(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let order = visible(db.conn(), caller, id).await?;
    let next = order.status.apply(OrderAction::Approve)?;
    let mut txn = db.begin().await?;
    let contract = require_in_force(finance::active_contract(&*txn, order.dealer_id).await?)?;
    // Serialises approvals of one dealer, so two cannot both fit under the same limit.
    finance::lock_contract(&*txn, contract.id).await?;
    let used = CreditUsed::of(
        finance::outstanding_of(&*txn, order.dealer_id).await?,
        orders::committed_totals(&*txn, order.dealer_id).await?,
    );
    credit::check_approval(
        &order.number,
        Money(order.total),
        used,
        Money(contract.credit_limit),
    )?;
    StatusChange::<dealer_orders::Entity>::new(id, order.status, next)
        .exec(&*txn)
        .await?;
    let event = events::DealerOrderApproved {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        approved_by: caller.subject,
        total: Money(order.total),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(db, caller, id).await
}

/// Moves the order by `action`, recording `reason`; a dispute is announced to the OEM in the
/// same transaction.
async fn transition(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    action: OrderAction,
    reason: Option<String>,
) -> DomainResult<OrderView> {
    let order = visible(db.conn(), caller, id).await?;
    let next = order.status.apply(action)?;
    let mut txn = db.begin().await?;
    let mut change = StatusChange::<dealer_orders::Entity>::new(id, order.status, next);
    if let Some(reason) = &reason {
        change = change.set(dealer_orders::Column::StatusReason, reason.clone());
    }
    change.exec(&*txn).await?;
    if action == OrderAction::Dispute {
        let event = events::DealerOrderDisputed {
            order_id: order.id,
            order_number: order.number.clone(),
            dealer_id: order.dealer_id,
            reason: reason.unwrap_or_default(),
            disputed_by: caller.subject,
            disputed_at: chrono::Utc::now(),
        };
        kernel::events::publish(&mut txn, &event).await?;
    }
    txn.commit().await?;
    get(db, caller, id).await
}

/// OEM staff reject a pending order, saying why.
pub async fn reject(db: &Db, caller: &Caller, id: Uuid, reason: String) -> DomainResult<OrderView> {
    transition(db, caller, id, OrderAction::Reject, Some(reason)).await
}

/// The dealer manager cancels their order; only while it is pending (409 afterwards).
pub async fn cancel(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    transition(db, caller, id, OrderAction::Cancel, None).await
}

/// The dealer manager disputes a shipment (damage, wrong units, missing units).
pub async fn dispute(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    reason: String,
) -> DomainResult<OrderView> {
    transition(db, caller, id, OrderAction::Dispute, Some(reason)).await
}

/// OEM staff allocate warehouse units to an approved order: exactly the lines' variant ×
/// colour × quantity, the requested VINs or else the oldest units. A VIN goes to one order
/// only, even when two allocations race (the loser gets 409 `vin_unavailable`).
pub async fn allocate(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    vins: Option<Vec<String>>,
) -> DomainResult<OrderView> {
    let order = visible(db.conn(), caller, id).await?;
    let next = order.status.apply(OrderAction::Allocate)?;
    let lines = orders::lines_of(db.conn(), order.id).await?;
    let requested = vins.map(|raw| parse_vins(&raw, "vins")).transpose()?;
    let mut txn = db.begin().await?;
    let units = match requested {
        Some(vins) => requested_units(&txn, &lines, vins).await?,
        None => oldest_units(&txn, &lines).await?,
    };
    let mut allocated = Vec::new();
    for (vin, line) in units {
        if !stock::allocate(&*txn, &vin, order.id, line.unit_price).await? {
            return Err(DomainError::conflict(
                ErrorCode::VinUnavailable,
                format!("VIN {vin} is no longer in the warehouse (allocated to another order?)"),
            ));
        }
        stock::record_move(
            &*txn,
            &vin,
            "allocate",
            Some(StockUnitStatus::InWarehouse),
            StockUnitStatus::Allocated,
            Some(order.id),
            Some(caller.subject),
        )
        .await?;
        allocated.push(events::VehicleUnit {
            vin,
            variant_id: line.variant_id,
            colour_id: line.colour_id,
            unit_price: Money(line.unit_price),
        });
    }
    StatusChange::<dealer_orders::Entity>::new(id, order.status, next)
        .exec(&*txn)
        .await?;
    for line in &lines {
        recheck_low_stock(&mut txn, line.variant_id, line.colour_id).await?;
    }
    let event = events::VehiclesAllocated {
        order_id: order.id,
        dealer_id: order.dealer_id,
        units: allocated,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(db, caller, id).await
}

/// The requested VINs matched to the order's lines: each must be in OEM stock and fill an
/// unfilled line; every line filled exactly.
async fn requested_units(
    txn: &WriteTxn,
    lines: &[dealer_order_lines::Model],
    vins: Vec<contracts::Vin>,
) -> DomainResult<Vec<(String, dealer_order_lines::Model)>> {
    let mut kinds = Vec::with_capacity(vins.len());
    for (i, vin) in vins.iter().enumerate() {
        let unit: oem_stock::Model = stock::find(&**txn, vin.as_str()).await?.ok_or_else(|| {
            DomainError::invalid(format!("vins[{i}]"), "no such VIN in OEM stock")
        })?;
        kinds.push((unit.variant_id, unit.colour_id));
    }
    let needs: Vec<LineNeed> = lines
        .iter()
        .map(|l| LineNeed {
            variant_id: l.variant_id,
            colour_id: l.colour_id,
            quantity: l.quantity,
        })
        .collect();
    let slots = match_units(&needs, &kinds)?;
    Ok(vins
        .into_iter()
        .zip(slots)
        .filter_map(|(vin, slot)| lines.get(slot).map(|l| (vin.into_string(), l.clone())))
        .collect())
}

/// The oldest warehouse units for each line (skipping rows another allocation holds), or 409
/// `insufficient_stock`.
async fn oldest_units(
    txn: &WriteTxn,
    lines: &[dealer_order_lines::Model],
) -> DomainResult<Vec<(String, dealer_order_lines::Model)>> {
    let mut out = Vec::new();
    for line in lines {
        let wanted = u64::try_from(line.quantity).unwrap_or(0);
        let units =
            stock::oldest_in_warehouse(&**txn, line.variant_id, line.colour_id, wanted).await?;
        if (units.len() as u64) < wanted {
            return Err(DomainError::conflict(
                ErrorCode::InsufficientStock,
                format!(
                    "only {} of {} units of variant {} in colour {} are in the warehouse",
                    units.len(),
                    line.quantity,
                    line.variant_id,
                    line.colour_id
                ),
            ));
        }
        out.extend(units.into_iter().map(|u| (u.vin, line.clone())));
    }
    Ok(out)
}

/// Moves every unit of the order from one status to another, recording each move.
async fn move_units(
    txn: &WriteTxn,
    order_id: Uuid,
    from: StockUnitStatus,
    to: StockUnitStatus,
    movement: &str,
    actor: Uuid,
) -> DomainResult<Vec<oem_stock::Model>> {
    let units = stock::of_order(&**txn, order_id, Some(from)).await?;
    stock::move_order_units(&**txn, order_id, from, to).await?;
    for unit in &units {
        stock::record_move(
            &**txn,
            &unit.vin,
            movement,
            Some(from),
            to,
            Some(order_id),
            Some(actor),
        )
        .await?;
    }
    Ok(units)
}

/// OEM staff ship an allocated order: its units go in transit and the dealer is invoiced, due
/// after the payment terms of its contract.
pub async fn ship(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    let order = visible(db.conn(), caller, id).await?;
    let next = order.status.apply(OrderAction::Ship)?;
    let mut txn = db.begin().await?;
    StatusChange::<dealer_orders::Entity>::new(id, order.status, next)
        .exec(&*txn)
        .await?;
    let units = move_units(
        &txn,
        order.id,
        StockUnitStatus::Allocated,
        StockUnitStatus::InTransit,
        "ship",
        caller.subject,
    )
    .await?;
    let terms = finance::active_contract(&*txn, order.dealer_id)
        .await?
        .map(|c| c.payment_terms_days);
    let now = chrono::Utc::now();
    let invoice_id = Uuid::now_v7();
    let invoice = finance::insert_invoice(
        &*txn,
        dealer_invoices::Model {
            id: invoice_id,
            number: document_number("INV", invoice_id),
            dealer_id: order.dealer_id,
            order_id: order.id,
            amount: order.total,
            paid: 0,
            status: crate::domain::lifecycle::InvoiceStatus::Unpaid,
            due_date: contract_rules::due_date(now.date_naive(), terms),
            overdue_notified_at: None,
            issued_at: now,
        },
    )
    .await?;
    orders::set_invoice(&*txn, order.id, invoice.id).await?;
    let event = events::DealerOrderShipped {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        units: units
            .into_iter()
            .map(|u| events::VehicleUnit {
                vin: u.vin,
                variant_id: u.variant_id,
                colour_id: u.colour_id,
                unit_price: Money(u.unit_price),
            })
            .collect(),
        invoice_id: invoice.id,
        invoice_number: invoice.number,
        invoice_amount: Money(invoice.amount),
        invoice_due_date: invoice.due_date,
        shipped_at: now,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(db, caller, id).await
}

/// The units of a shipped (or disputed) order become the dealer's: delivered by the dealer
/// manager, or handed over when OEM staff resolve a dispute.
async fn hand_over(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    action: OrderAction,
    reason: Option<String>,
) -> DomainResult<OrderView> {
    debug_assert!(action.hands_over());
    let order = visible(db.conn(), caller, id).await?;
    let next = order.status.apply(action)?;
    let mut txn = db.begin().await?;
    let mut change = StatusChange::<dealer_orders::Entity>::new(id, order.status, next);
    if let Some(reason) = reason {
        change = change.set(dealer_orders::Column::StatusReason, reason);
    }
    change.exec(&*txn).await?;
    let units = move_units(
        &txn,
        order.id,
        StockUnitStatus::InTransit,
        StockUnitStatus::Delivered,
        "deliver",
        caller.subject,
    )
    .await?;
    let event = events::DealerOrderDelivered {
        order_id: order.id,
        dealer_id: order.dealer_id,
        vins: units.into_iter().map(|u| u.vin).collect(),
        delivered_at: chrono::Utc::now(),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    get(db, caller, id).await
}

/// The dealer manager confirms receipt: the units become the dealer's stock.
pub async fn deliver(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<OrderView> {
    hand_over(db, caller, id, OrderAction::Deliver, None).await
}

/// OEM staff resolve a dispute (the resolution is recorded); the units are handed over.
pub async fn resolve(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    resolution: String,
) -> DomainResult<OrderView> {
    hand_over(db, caller, id, OrderAction::Resolve, Some(resolution)).await
}
