//! Dealer orders to the OEM: placed by a dealer manager, approved, allocated VIN by VIN,
//! shipped with an invoice, then delivered or disputed.

use super::{is_oem, State};
use crate::app::pricing::quote_for;
use crate::domain::lifecycle::{stock as unit_status, OrderAction, OrderStatus};
use crate::store::{
    dealer_contracts, dealer_invoices, dealer_order_lines, dealer_orders, finance, oem_stock,
    orders::{self, document_number},
    stock,
};
use actix_web::{web, HttpResponse};
use contracts::{events::manufacturer as events, Money, Vin};
use kernel::{
    error::FieldError,
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, WriteTxn,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineDto {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub quantity: i32,
    pub unit_price: Money,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub status: String,
    pub placed_by: Uuid,
    pub total: Money,
    pub note: Option<String>,
    pub status_reason: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// What may be done next.
    pub allowed_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<OrderLineDto>>,
    /// VINs allocated to the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vins: Option<Vec<String>>,
}

fn dto(o: dealer_orders::Model) -> OrderDto {
    let allowed = OrderStatus::parse(&o.status)
        .map(OrderStatus::allowed)
        .unwrap_or_default();
    OrderDto {
        id: o.id,
        number: o.number,
        dealer_id: o.dealer_id,
        status: o.status,
        placed_by: o.placed_by,
        total: Money(o.total),
        note: o.note,
        status_reason: o.status_reason,
        invoice_id: o.invoice_id,
        created_at: o.created_at,
        updated_at: o.updated_at,
        version: o.version,
        allowed_actions: allowed,
        lines: None,
        vins: None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    pub status: Option<String>,
    /// OEM staff only; dealer managers always see their own dealer's orders.
    pub dealer_id: Option<Uuid>,
}

/// Dealer orders; a dealer manager sees only their dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-orders", tag = "manufacturer", security(("bearer" = [])), params(ListParams, OrderFilter),
    responses((status = 200, body = Page<OrderDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    use dealer_orders::Column as C;
    let mut select = dealer_orders::Entity::find();
    if let Some(dealer) = super::dealer_scope(&caller, filter.dealer_id)? {
        select = select.filter(C::DealerId.eq(dealer));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Number.contains(q.to_uppercase()));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("total", C::Total),
        ("number", C::Number),
        ("status", C::Status),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Desc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(dto)))
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineInput {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    #[validate(range(min = 1, max = 500))]
    pub quantity: i32,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrder {
    #[validate(length(min = 1, max = 50), nested)]
    pub lines: Vec<OrderLineInput>,
    #[validate(length(max = 2000))]
    pub note: Option<String>,
}

/// A dealer manager orders vehicles for their dealer, priced at today's wholesale quote.
/// Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/dealer-orders", tag = "manufacturer", security(("bearer" = [])), request_body = PlaceOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = OrderDto), (status = 409, description = "No contract in force", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn place(
    db: State,
    caller: Caller,
    body: ValidJson<PlaceOrder>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller
        .dealer_id
        .ok_or_else(|| ApiError::forbidden("your account belongs to no dealer"))?;
    let mut seen = Vec::new();
    for (i, line) in body.lines.iter().enumerate() {
        if seen.contains(&(line.variant_id, line.colour_id)) {
            return Err(ApiError::validation(vec![FieldError::new(
                format!("lines[{i}]"),
                "variant and colour already ordered on another line",
            )]));
        }
        seen.push((line.variant_id, line.colour_id));
    }
    if finance::active_contract(db.conn(), dealer_id)
        .await?
        .is_none()
    {
        return Err(ApiError::conflict(
            "your dealer has no contract in force with the manufacturer",
        )
        .with_code(kernel::error::ErrorCode::NoContract));
    }
    let mut priced = Vec::new();
    for (i, line) in body.lines.iter().enumerate() {
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
    let total = priced
        .iter()
        .try_fold(Money::ZERO, |sum, (_, q)| sum.checked_add(q.total))
        .ok_or_else(|| ApiError::invalid_field("lines", "order total too large"))?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let mut txn = db.begin().await?;
    let order = dealer_orders::ActiveModel {
        id: Set(id),
        number: Set(document_number("DO", id)),
        dealer_id: Set(dealer_id),
        status: Set(OrderStatus::Pending.as_str().to_owned()),
        placed_by: Set(caller.subject),
        total: Set(total.0),
        note: Set(body.note),
        status_reason: Set(None),
        invoice_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    let mut lines = Vec::new();
    for (line, quote) in &priced {
        dealer_order_lines::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(order.id),
            variant_id: Set(line.variant_id),
            colour_id: Set(line.colour_id),
            quantity: Set(line.quantity),
            unit_price: Set(quote.unit_price.0),
        }
        .insert(&*txn)
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
    Ok(HttpResponse::Created().json(placed))
}

async fn detailed(
    db: &impl sea_orm::ConnectionTrait,
    order: dealer_orders::Model,
) -> Result<OrderDto, ApiError> {
    let lines = orders::lines_of(db, order.id).await?;
    let vins = oem_stock::Entity::find()
        .filter(oem_stock::Column::OrderId.eq(order.id))
        .order_by_asc(oem_stock::Column::Vin)
        .all(db)
        .await?;
    let mut out = dto(order);
    out.lines = Some(
        lines
            .into_iter()
            .map(|l| OrderLineDto {
                variant_id: l.variant_id,
                colour_id: l.colour_id,
                quantity: l.quantity,
                unit_price: Money(l.unit_price),
            })
            .collect(),
    );
    out.vins = Some(vins.into_iter().map(|u| u.vin).collect());
    Ok(out)
}

/// The order if the caller may see it: 404 for another dealer's.
async fn visible(
    db: &State,
    caller: &Caller,
    id: Uuid,
) -> Result<(dealer_orders::Model, OrderStatus), ApiError> {
    let order = dealer_orders::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such dealer order"))?;
    if !is_oem(caller) {
        caller.ensure_dealer(order.dealer_id)?;
    }
    let status = OrderStatus::parse(&order.status).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("unknown order status {}", order.status))
    })?;
    Ok((order, status))
}

/// One order with its lines and allocated VINs.
#[utoipa::path(get, path = "/api/v1/dealer-orders/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (order, _) = visible(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(detailed(db.conn(), order).await?))
}

async fn respond(db: &State, id: Uuid) -> ApiResult<HttpResponse> {
    let order = dealer_orders::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such dealer order"))?;
    Ok(HttpResponse::Ok().json(detailed(db.conn(), order).await?))
}

/// OEM staff approve a pending order if the dealer's credit allows it: unpaid invoices plus
/// approved, not yet invoiced orders plus this one must stay within the contract's limit.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/approve", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, description = "Illegal transition or credit limit exceeded", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn approve(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (order, status) = visible(&db, &caller, *id).await?;
    let next = status.transition(OrderAction::Approve)?;
    let mut txn = db.begin().await?;
    let contract = finance::active_contract(&*txn, order.dealer_id)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("the dealer has no contract in force")
                .with_code(kernel::error::ErrorCode::NoContract)
        })?;
    if !db.is_sqlite() {
        // Serialises approvals of one dealer, so two cannot both fit under the same limit.
        dealer_contracts::Entity::find_by_id(contract.id)
            .lock_exclusive()
            .one(&*txn)
            .await?;
    }
    let used = finance::credit_used(&*txn, order.dealer_id).await?;
    if used.saturating_add(order.total) > contract.credit_limit {
        return Err(ApiError::conflict(format!(
            "approving {} would use {} of a credit limit of {} (already used: {})",
            order.number,
            used.saturating_add(order.total),
            contract.credit_limit,
            used
        ))
        .with_code(kernel::error::ErrorCode::CreditLimitExceeded));
    }
    orders::advance(&txn, &order, status, next, None).await?;
    let event = events::DealerOrderApproved {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        approved_by: caller.subject,
        total: Money(order.total),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    respond(&db, order.id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReasonInput {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

async fn simple_transition(
    db: State,
    caller: Caller,
    id: Uuid,
    action: OrderAction,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let (order, status) = visible(&db, &caller, id).await?;
    let next = status.transition(action)?;
    let mut txn = db.begin().await?;
    orders::advance(&txn, &order, status, next, reason.clone()).await?;
    if action == OrderAction::Dispute {
        // The OEM hears of it (notification) in the transaction that records it.
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
    respond(&db, order.id).await
}

/// OEM staff reject a pending order, saying why.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/reject", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reject(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    simple_transition(
        db,
        caller,
        *id,
        OrderAction::Reject,
        Some(body.into_inner().reason),
    )
    .await
}

/// The dealer manager cancels their order; only while it is pending.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/cancel", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, description = "Not pending any more", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    simple_transition(db, caller, *id, OrderAction::Cancel, None).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AllocateInput {
    /// The VINs to allocate; omitted = the oldest warehouse units matching each line.
    pub vins: Option<Vec<String>>,
}

/// OEM staff allocate warehouse units to an approved order: exactly the lines' variant ×
/// colour × quantity. A VIN goes to one order only, even when two allocations race.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/allocate", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AllocateInput,
    responses((status = 200, body = OrderDto), (status = 409, description = "Illegal transition or VIN not available", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn allocate(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<AllocateInput>,
) -> ApiResult<HttpResponse> {
    let (order, status) = visible(&db, &caller, *id).await?;
    let next = status.transition(OrderAction::Allocate)?;
    let lines = orders::lines_of(db.conn(), order.id).await?;
    let requested = match body.into_inner().vins {
        Some(raw) => Some(parse_vins(&raw)?),
        None => None,
    };
    let mut txn = db.begin().await?;
    let units = match requested {
        Some(vins) => explicit_units(&txn, &lines, vins).await?,
        None => oldest_units(&txn, &lines).await?,
    };
    let mut allocated = Vec::new();
    for (vin, line) in units {
        let moved = oem_stock::Entity::update_many()
            .col_expr(
                oem_stock::Column::Status,
                Expr::value(unit_status::ALLOCATED),
            )
            .col_expr(oem_stock::Column::OrderId, Expr::value(order.id))
            .col_expr(oem_stock::Column::UnitPrice, Expr::value(line.unit_price))
            .col_expr(
                oem_stock::Column::UpdatedAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(oem_stock::Column::Vin.eq(vin.as_str()))
            .filter(oem_stock::Column::Status.eq(unit_status::IN_WAREHOUSE))
            .exec(&*txn)
            .await?
            .rows_affected;
        if moved != 1 {
            return Err(ApiError::conflict(format!(
                "VIN {vin} is no longer in the warehouse (allocated to another order?)"
            ))
            .with_code(kernel::error::ErrorCode::VinUnavailable));
        }
        stock::record_move(
            &txn,
            &vin,
            "allocate",
            Some(unit_status::IN_WAREHOUSE),
            unit_status::ALLOCATED,
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
    orders::advance(&txn, &order, status, next, None).await?;
    for line in &lines {
        stock::check_low_stock(&mut txn, line.variant_id, line.colour_id).await?;
    }
    let event = events::VehiclesAllocated {
        order_id: order.id,
        dealer_id: order.dealer_id,
        units: allocated,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    respond(&db, order.id).await
}

fn parse_vins(raw: &[String]) -> Result<Vec<Vin>, ApiError> {
    let mut errors = Vec::new();
    let mut vins: Vec<Vin> = Vec::new();
    for (i, value) in raw.iter().enumerate() {
        match Vin::parse(value) {
            Ok(vin) if vins.contains(&vin) => {
                errors.push(FieldError::new(format!("vins[{i}]"), "listed twice"))
            }
            Ok(vin) => vins.push(vin),
            Err(e) => errors.push(FieldError::new(format!("vins[{i}]"), e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(vins)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Matches the requested VINs to the order's lines: every line filled exactly.
async fn explicit_units(
    txn: &WriteTxn,
    lines: &[dealer_order_lines::Model],
    vins: Vec<Vin>,
) -> Result<Vec<(String, dealer_order_lines::Model)>, ApiError> {
    let mut remaining: Vec<(dealer_order_lines::Model, i32)> =
        lines.iter().map(|l| (l.clone(), l.quantity)).collect();
    let mut out = Vec::new();
    for (i, vin) in vins.into_iter().enumerate() {
        let unit = oem_stock::Entity::find_by_id(vin.as_str())
            .one(&**txn)
            .await?
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    format!("vins[{i}]"),
                    "no such VIN in OEM stock",
                )])
            })?;
        let slot = remaining
            .iter_mut()
            .find(|(l, left)| {
                *left > 0 && l.variant_id == unit.variant_id && l.colour_id == unit.colour_id
            })
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    format!("vins[{i}]"),
                    "matches no unfilled line of the order (variant × colour × quantity)",
                )])
            })?;
        slot.1 -= 1;
        out.push((vin.into_string(), slot.0.clone()));
    }
    if remaining.iter().any(|(_, left)| *left > 0) {
        return Err(ApiError::invalid_field(
            "vins",
            "allocate exactly the ordered quantity of every line",
        ));
    }
    Ok(out)
}

/// The oldest warehouse units for each line (skipping rows another allocation holds).
async fn oldest_units(
    txn: &WriteTxn,
    lines: &[dealer_order_lines::Model],
) -> Result<Vec<(String, dealer_order_lines::Model)>, ApiError> {
    let mut out = Vec::new();
    for line in lines {
        let mut select = oem_stock::Entity::find()
            .filter(oem_stock::Column::VariantId.eq(line.variant_id))
            .filter(oem_stock::Column::ColourId.eq(line.colour_id))
            .filter(oem_stock::Column::Status.eq(unit_status::IN_WAREHOUSE))
            .order_by_asc(oem_stock::Column::CreatedAt)
            .order_by_asc(oem_stock::Column::Vin)
            .limit(u64::try_from(line.quantity).unwrap_or(0));
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            select = select.lock_with_behavior(
                sea_orm::sea_query::LockType::Update,
                sea_orm::sea_query::LockBehavior::SkipLocked,
            );
        }
        let units = select.all(&**txn).await?;
        if units.len() < usize::try_from(line.quantity).unwrap_or(usize::MAX) {
            return Err(ApiError::conflict(format!(
                "only {} of {} units of variant {} in colour {} are in the warehouse",
                units.len(),
                line.quantity,
                line.variant_id,
                line.colour_id
            ))
            .with_code(kernel::error::ErrorCode::InsufficientStock));
        }
        out.extend(units.into_iter().map(|u| (u.vin, line.clone())));
    }
    Ok(out)
}

/// Moves every unit of the order from one status to another, recording each move.
async fn move_units(
    txn: &WriteTxn,
    order_id: Uuid,
    from: &str,
    to: &str,
    movement: &str,
    actor: Uuid,
) -> Result<Vec<oem_stock::Model>, ApiError> {
    let units = oem_stock::Entity::find()
        .filter(oem_stock::Column::OrderId.eq(order_id))
        .filter(oem_stock::Column::Status.eq(from))
        .order_by_asc(oem_stock::Column::Vin)
        .all(&**txn)
        .await?;
    oem_stock::Entity::update_many()
        .col_expr(oem_stock::Column::Status, Expr::value(to))
        .col_expr(
            oem_stock::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(oem_stock::Column::OrderId.eq(order_id))
        .filter(oem_stock::Column::Status.eq(from))
        .exec(&**txn)
        .await?;
    for unit in &units {
        stock::record_move(
            txn,
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

/// OEM staff ship an allocated order: its units go in transit and the dealer is invoiced
/// (due after the contract's payment terms).
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/ship", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn ship(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (order, status) = visible(&db, &caller, *id).await?;
    let next = status.transition(OrderAction::Ship)?;
    let mut txn = db.begin().await?;
    orders::advance(&txn, &order, status, next, None).await?;
    let units = move_units(
        &txn,
        order.id,
        unit_status::ALLOCATED,
        unit_status::IN_TRANSIT,
        "ship",
        caller.subject,
    )
    .await?;
    let terms = finance::active_contract(&*txn, order.dealer_id)
        .await?
        .map(|c| c.payment_terms_days)
        .unwrap_or(30);
    let now = chrono::Utc::now();
    let due = now.date_naive() + chrono::Days::new(u64::try_from(terms).unwrap_or(30));
    let invoice_id = Uuid::now_v7();
    let invoice = dealer_invoices::ActiveModel {
        id: Set(invoice_id),
        number: Set(document_number("INV", invoice_id)),
        dealer_id: Set(order.dealer_id),
        order_id: Set(order.id),
        amount: Set(order.total),
        paid: Set(0),
        status: Set("unpaid".to_owned()),
        due_date: Set(due),
        overdue_notified_at: Set(None),
        issued_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    dealer_orders::Entity::update_many()
        .col_expr(dealer_orders::Column::InvoiceId, Expr::value(invoice.id))
        .filter(dealer_orders::Column::Id.eq(order.id))
        .exec(&*txn)
        .await?;
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
    respond(&db, order.id).await
}

async fn hand_over(
    db: State,
    caller: Caller,
    id: Uuid,
    action: OrderAction,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let (order, status) = visible(&db, &caller, id).await?;
    let next = status.transition(action)?;
    let mut txn = db.begin().await?;
    orders::advance(&txn, &order, status, next, reason).await?;
    let units = move_units(
        &txn,
        order.id,
        unit_status::IN_TRANSIT,
        unit_status::DELIVERED,
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
    respond(&db, order.id).await
}

/// The dealer manager confirms receipt: the units become the dealer's stock.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/deliver", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn deliver(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    hand_over(db, caller, *id, OrderAction::Deliver, None).await
}

/// The dealer manager disputes a shipment (damage, wrong units, missing units).
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/dispute", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn dispute(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    simple_transition(
        db,
        caller,
        *id,
        OrderAction::Dispute,
        Some(body.into_inner().reason),
    )
    .await
}

/// OEM staff resolve a dispute (the resolution is recorded); the units are handed over.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/resolve", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    hand_over(
        db,
        caller,
        *id,
        OrderAction::Resolve,
        Some(body.into_inner().reason),
    )
    .await
}
