//! Sales orders: from an accepted quotation or direct; each reserves one in-stock VIN.

use super::{quotations, State};
use crate::domain::{lifecycle, pricing, schedule};
use crate::store::{
    contracts as sale_contracts, dealers, instalments, inventory_units,
    quotations as quotation_rows, sales_orders,
};
use actix_web::{web, HttpResponse};
use contracts::{events::dealer as events, Money, Vin};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, Role, WriteTxn,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

/// Sellable units of a variant × colour at or below this count raise `dealer.stock_low`.
pub const LOW_STOCK_THRESHOLD: u64 = 1;

/// `prefix-YYYYMMDD-XXXXXXXX` from the random tail of a UUIDv7.
pub fn document_number(prefix: &str, id: Uuid) -> String {
    let tail = id.simple().to_string();
    let tail = tail
        .get(tail.len() - 8..)
        .unwrap_or_default()
        .to_uppercase();
    format!("{prefix}-{}-{tail}", chrono::Utc::now().format("%Y%m%d"))
}

#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPlanInput {
    /// full | instalments
    pub payment_plan: String,
    /// Instalments: paid now (minor units).
    #[validate(range(min = 0))]
    pub down_payment: Option<i64>,
    /// Instalments: monthly payments after the down payment.
    #[validate(range(min = 1, max = 120))]
    pub instalments: Option<i32>,
    /// Instalments: flat annual interest in basis points.
    #[validate(range(min = 0, max = 5000))]
    pub annual_rate_bp: Option<i64>,
}

impl PaymentPlanInput {
    fn schedule(&self, total: Money) -> Result<schedule::Schedule, ApiError> {
        let today = chrono::Utc::now().date_naive();
        match self.payment_plan.as_str() {
            "full" => Ok(schedule::full(total, today)),
            "instalments" => {
                let count = self.instalments.ok_or_else(|| {
                    ApiError::invalid_field("instalments", "required for an instalment plan")
                })?;
                schedule::instalments(
                    total,
                    Money(self.down_payment.unwrap_or(0)),
                    count,
                    self.annual_rate_bp.unwrap_or(0),
                    today,
                )
                .ok_or_else(|| {
                    ApiError::invalid_field("downPayment", "must be between 0 and the order total")
                })
            }
            _ => Err(ApiError::invalid_field(
                "paymentPlan",
                "must be full or instalments",
            )),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentDto {
    pub number: i32,
    pub due_date: chrono::NaiveDate,
    pub amount: Money,
    pub paid: Money,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub quotation_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vin: Option<String>,
    pub breakdown: pricing::Breakdown,
    pub total: Money,
    pub interest: Money,
    pub payable: Money,
    pub paid_total: Money,
    pub outstanding: Money,
    pub needs_approval: bool,
    pub payment_plan: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub allowed_actions: Vec<String>,
    pub delivery_scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<InstalmentDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractDto {
    pub id: Uuid,
    pub number: String,
    pub status: String,
    pub signed_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn dto(o: sales_orders::Model) -> Result<OrderDto, ApiError> {
    Ok(OrderDto {
        allowed_actions: lifecycle::order_allowed(&o.status)
            .iter()
            .map(|a| (*a).to_owned())
            .collect(),
        breakdown: serde_json::from_value(o.breakdown).map_err(ApiError::internal)?,
        outstanding: Money(o.payable - o.paid_total),
        id: o.id,
        number: o.number,
        dealer_id: o.dealer_id,
        branch_id: o.branch_id,
        customer_id: o.customer_id,
        staff_id: o.staff_id,
        quotation_id: o.quotation_id,
        variant_id: o.variant_id,
        colour_id: o.colour_id,
        vin: o.vin,
        total: Money(o.total),
        interest: Money(o.interest),
        payable: Money(o.payable),
        paid_total: Money(o.paid_total),
        needs_approval: o.needs_approval,
        payment_plan: o.payment_plan,
        status: o.status,
        status_reason: o.status_reason,
        delivery_scheduled_at: o.delivery_scheduled_at,
        delivered_at: o.delivered_at,
        version: o.version,
        created_at: o.created_at,
        schedule: None,
        contract: None,
    })
}

/// The order with its instalment schedule and contract.
pub async fn detailed(
    db: &impl ConnectionTrait,
    order: sales_orders::Model,
) -> Result<OrderDto, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let rows = instalments::Entity::find()
        .filter(instalments::Column::OrderId.eq(order.id))
        .order_by_asc(instalments::Column::Number)
        .all(db)
        .await?;
    let contract = sale_contracts::Entity::find()
        .filter(sale_contracts::Column::OrderId.eq(order.id))
        .one(db)
        .await?;
    let mut out = dto(order)?;
    out.schedule = Some(
        rows.into_iter()
            .map(|i| InstalmentDto {
                overdue: i.paid < i.amount && i.due_date < today,
                number: i.number,
                due_date: i.due_date,
                amount: Money(i.amount),
                paid: Money(i.paid),
            })
            .collect(),
    );
    out.contract = contract.map(|c| ContractDto {
        id: c.id,
        number: c.number,
        status: c.status,
        signed_at: c.signed_at,
    });
    Ok(out)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    pub dealer_id: Option<Uuid>,
}

/// Sales orders: dealer staff see their own, managers their dealer's.
#[utoipa::path(get, path = "/api/v1/sales-orders", tag = "dealer", security(("bearer" = [])), params(ListParams, OrderFilter),
    responses((status = 200, body = Page<OrderDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    use sales_orders::Column as C;
    let mut select = sales_orders::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(C::StaffId.eq(caller.subject));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(c) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(c));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Number.contains(q.to_uppercase()));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("total", C::Total),
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
    let items: Result<Vec<_>, _> = page.items.into_iter().map(dto).collect();
    Ok(HttpResponse::Ok().json(Page {
        items: items?,
        page: page.page,
        page_size: page.page_size,
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrder {
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// A specific in-stock unit; omitted = the longest-held unit of the variant × colour.
    pub vin: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    pub options: Vec<quotations::OptionInput>,
    #[serde(default)]
    pub manual_discount_bp: i64,
    #[serde(flatten)]
    #[validate(nested)]
    pub plan: PaymentPlanInput,
}

/// Sells directly, without a quotation; reserves a VIN. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/sales-orders", tag = "dealer", security(("bearer" = [])), request_body = CreateOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = OrderDto), (status = 409, description = "No unit in stock, or dealer suspended", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    db: State,
    caller: Caller,
    body: ValidJson<CreateOrder>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    let dealer = dealers::Entity::find_by_id(dealer_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::invalid_field("dealerId", "no such dealer"))?;
    let vin = match &body.vin {
        Some(raw) => {
            Some(Vin::parse(raw).map_err(|e| ApiError::invalid_field("vin", e.to_string()))?)
        }
        None => None,
    };
    let spec = quotations::VehicleSpec {
        dealer: &dealer,
        customer_id: body.customer_id,
        variant_id: body.variant_id,
        colour_id: body.colour_id,
        options: &body.options,
        manual_discount_bp: body.manual_discount_bp,
    };
    let breakdown = quotations::price_vehicle(db.conn(), &caller, &spec).await?;
    let order = NewOrder {
        dealer_id,
        branch_id: body.branch_id.or(caller.branch_id),
        customer_id: body.customer_id,
        staff_id: caller.subject,
        quotation: None,
        variant_id: body.variant_id,
        colour_id: body.colour_id,
        vin,
        breakdown,
        manual_discount_bp: body.manual_discount_bp,
        plan: body.plan,
    };
    Ok(HttpResponse::Created().json(create_order(&db, &caller, order).await?))
}

pub struct NewOrder<'a> {
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub quotation: Option<&'a quotation_rows::Model>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vin: Option<Vin>,
    pub breakdown: pricing::Breakdown,
    pub manual_discount_bp: i64,
    pub plan: PaymentPlanInput,
}

/// Creates the order, its schedule and reservation in one transaction with its events.
pub async fn create_order(
    db: &State,
    caller: &Caller,
    new: NewOrder<'_>,
) -> Result<OrderDto, ApiError> {
    let plan = new.plan.schedule(new.breakdown.total)?;
    let needs_approval = new.manual_discount_bp > crate::domain::discounts::APPROVAL_THRESHOLD_BP
        && !caller.has_role(&[Role::Admin, Role::DealerManager]);
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let mut txn = db.begin().await?;
    if let Some(q) = new.quotation {
        quotations::advance(&txn, q, "convert").await?;
        quotation_rows::Entity::update_many()
            .col_expr(quotation_rows::Column::SalesOrderId, Expr::value(id))
            .filter(quotation_rows::Column::Id.eq(q.id))
            .exec(&*txn)
            .await?;
    }
    let vin = reserve(
        &txn,
        new.dealer_id,
        new.variant_id,
        new.colour_id,
        new.vin.as_ref(),
        id,
    )
    .await?;
    let order = sales_orders::ActiveModel {
        id: Set(id),
        number: Set(document_number("SO", id)),
        dealer_id: Set(new.dealer_id),
        branch_id: Set(new.branch_id),
        customer_id: Set(new.customer_id),
        staff_id: Set(new.staff_id),
        quotation_id: Set(new.quotation.map(|q| q.id)),
        variant_id: Set(new.variant_id),
        colour_id: Set(new.colour_id),
        vin: Set(Some(vin.clone())),
        breakdown: Set(serde_json::to_value(&new.breakdown).map_err(ApiError::internal)?),
        total: Set(new.breakdown.total.0),
        interest: Set(plan.interest.0),
        payable: Set(plan.payable.0),
        paid_total: Set(0),
        manual_discount_bp: Set(i32::try_from(new.manual_discount_bp).unwrap_or(0)),
        needs_approval: Set(needs_approval),
        approved_by: Set((!needs_approval).then_some(caller.subject)),
        payment_plan: Set(new.plan.payment_plan.clone()),
        status: Set(if needs_approval {
            "pending"
        } else {
            "approved"
        }
        .into()),
        status_reason: Set(None),
        delivery_scheduled_at: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    for row in &plan.instalments {
        instalments::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(id),
            number: Set(row.number),
            due_date: Set(row.due_date),
            amount: Set(row.amount.0),
            paid: Set(0),
            overdue_notified_at: Set(None),
        }
        .insert(&*txn)
        .await?;
    }
    let created = events::SalesOrderCreated {
        order_id: id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        branch_id: order.branch_id,
        customer_id: order.customer_id,
        staff_id: order.staff_id,
        quotation_id: order.quotation_id,
        variant_id: order.variant_id,
        colour_id: order.colour_id,
        vin,
        total: Money(order.total),
        payment_plan: order.payment_plan.clone(),
        payable: Money(order.payable),
        instalments: plan
            .instalments
            .iter()
            .map(|row| events::InstalmentDue {
                number: row.number,
                due_date: row.due_date,
                amount: row.amount,
            })
            .collect(),
    };
    kernel::events::publish(&mut txn, &created).await?;
    if !needs_approval {
        publish_approved(&mut txn, &order, caller.subject).await?;
    }
    check_low_stock(&mut txn, new.dealer_id, new.variant_id, new.colour_id).await?;
    let out = detailed(&*txn, order).await?;
    txn.commit().await?;
    Ok(out)
}

async fn publish_approved(
    txn: &mut WriteTxn,
    order: &sales_orders::Model,
    by: Uuid,
) -> Result<(), ApiError> {
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

/// Reserves one in-stock unit for the order. The conditional update is the arbiter: of two
/// orders racing for the last unit, the second updates nothing and gets a 409.
async fn reserve(
    txn: &WriteTxn,
    dealer_id: Uuid,
    variant_id: Uuid,
    colour_id: Uuid,
    wanted: Option<&Vin>,
    order_id: Uuid,
) -> Result<String, ApiError> {
    use inventory_units::Column as C;
    let candidates: Vec<String> = match wanted {
        Some(vin) => vec![vin.to_string()],
        None => {
            let mut select = inventory_units::Entity::find()
                .filter(C::DealerId.eq(dealer_id))
                .filter(C::VariantId.eq(variant_id))
                .filter(C::ColourId.eq(colour_id))
                .filter(C::Status.eq("in_stock"))
                .order_by_asc(C::ReceivedAt)
                .order_by_asc(C::Vin)
                .limit(5);
            if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
                select = select.lock_with_behavior(
                    sea_orm::sea_query::LockType::Update,
                    sea_orm::sea_query::LockBehavior::SkipLocked,
                );
            }
            select
                .all(&**txn)
                .await?
                .into_iter()
                .map(|u| u.vin)
                .collect()
        }
    };
    for vin in candidates {
        let reserved = inventory_units::Entity::update_many()
            .col_expr(C::Status, Expr::value("reserved"))
            .col_expr(C::SalesOrderId, Expr::value(order_id))
            .col_expr(C::UpdatedAt, Expr::value(chrono::Utc::now()))
            .filter(C::Vin.eq(vin.as_str()))
            .filter(C::DealerId.eq(dealer_id))
            .filter(C::VariantId.eq(variant_id))
            .filter(C::ColourId.eq(colour_id))
            .filter(C::Status.eq("in_stock"))
            .exec(&**txn)
            .await?
            .rows_affected;
        if reserved == 1 {
            return Ok(vin);
        }
    }
    Err(match wanted {
        Some(vin) => ApiError::conflict(format!(
            "unit {vin} is not in stock for this variant and colour"
        )),
        None => ApiError::conflict("no unit of this variant and colour is in stock"),
    }
    .with_code(kernel::error::ErrorCode::OutOfStock))
}

/// Raises `dealer.stock_low` when the sellable count of a variant × colour reaches the threshold.
async fn check_low_stock(
    txn: &mut WriteTxn,
    dealer_id: Uuid,
    variant_id: Uuid,
    colour_id: Uuid,
) -> Result<(), ApiError> {
    let in_stock = inventory_units::Entity::find()
        .filter(inventory_units::Column::DealerId.eq(dealer_id))
        .filter(inventory_units::Column::VariantId.eq(variant_id))
        .filter(inventory_units::Column::ColourId.eq(colour_id))
        .filter(inventory_units::Column::Status.eq("in_stock"))
        .count(&**txn)
        .await?;
    if in_stock == LOW_STOCK_THRESHOLD {
        let threshold = i64::try_from(LOW_STOCK_THRESHOLD).unwrap_or(1);
        let event = events::DealerStockLow {
            dealer_id,
            variant_id,
            colour_id,
            in_stock: threshold,
            threshold,
        };
        kernel::events::publish(txn, &event).await?;
    }
    Ok(())
}

pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<sales_orders::Model, ApiError> {
    let order = sales_orders::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such sales order"))?;
    caller.ensure_document_visible(order.dealer_id, order.staff_id)?;
    Ok(order)
}

/// One order with its schedule and contract.
#[utoipa::path(get, path = "/api/v1/sales-orders/{id}", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let order = visible(db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(detailed(db.conn(), order).await?))
}

/// Moves an order from the status read to `to` (a racing change makes this a 409).
pub async fn advance(
    txn: &WriteTxn,
    order: &sales_orders::Model,
    action: &str,
    to: &str,
    reason: Option<String>,
) -> Result<(), ApiError> {
    lifecycle::order_check(&order.status, action)?;
    let mut update = sales_orders::Entity::update_many()
        .col_expr(sales_orders::Column::Status, Expr::value(to))
        .col_expr(
            sales_orders::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .col_expr(
            sales_orders::Column::Version,
            Expr::col(sales_orders::Column::Version).add(1),
        );
    if let Some(reason) = reason {
        update = update.col_expr(sales_orders::Column::StatusReason, Expr::value(reason));
    }
    let moved = update
        .filter(sales_orders::Column::Id.eq(order.id))
        .filter(sales_orders::Column::Status.eq(order.status.as_str()))
        .exec(&**txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::conflict(format!(
            "sales order {} changed while this request ran; reload it",
            order.number
        )));
    }
    Ok(())
}

/// A manager approves an order whose discount needed it.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/approve", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn approve(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let order = visible(db.conn(), &caller, *id).await?;
    let mut txn = db.begin().await?;
    advance(&txn, &order, "approve", "approved", None).await?;
    sales_orders::Entity::update_many()
        .col_expr(
            sales_orders::Column::ApprovedBy,
            Expr::value(caller.subject),
        )
        .filter(sales_orders::Column::Id.eq(order.id))
        .exec(&*txn)
        .await?;
    publish_approved(&mut txn, &order, caller.subject).await?;
    txn.commit().await?;
    Ok(
        HttpResponse::Ok()
            .json(detailed(db.conn(), visible(db.conn(), &caller, *id).await?).await?),
    )
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelInput {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

/// Cancels an order before any payment; its VIN goes back in stock.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/cancel", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelInput,
    responses((status = 200, body = OrderDto), (status = 409, description = "Paid or delivered", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CancelInput>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    let order = visible(db.conn(), &caller, *id).await?;
    if order.paid_total > 0 {
        return Err(
            ApiError::illegal_transition(&order.status, "cancel", vec![])
                .with_code(kernel::error::ErrorCode::PaymentsReceived),
        );
    }
    let mut txn = db.begin().await?;
    advance(&txn, &order, "cancel", "cancelled", Some(reason.clone())).await?;
    inventory_units::Entity::update_many()
        .col_expr(inventory_units::Column::Status, Expr::value("in_stock"))
        .col_expr(
            inventory_units::Column::SalesOrderId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            inventory_units::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(inventory_units::Column::SalesOrderId.eq(order.id))
        .filter(inventory_units::Column::Status.eq("reserved"))
        .exec(&*txn)
        .await?;
    sale_contracts::Entity::update_many()
        .col_expr(sale_contracts::Column::Status, Expr::value("cancelled"))
        .filter(sale_contracts::Column::OrderId.eq(order.id))
        .exec(&*txn)
        .await?;
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
    Ok(
        HttpResponse::Ok()
            .json(detailed(db.conn(), visible(db.conn(), &caller, *id).await?).await?),
    )
}
