//! `/sales-orders`: a sale from order to hand-over (approval, contract, payments, delivery),
//! and `/quotations/{id}/convert`, which opens one.

use super::State;
use crate::app::{
    overdue, payments,
    payments::NewPayment,
    sales,
    sales::{NewOrder, PaymentTerms},
    sales_orders::{self as use_case, InstalmentView, OrderFilter, OrderView},
    settlement,
};
use crate::domain::{
    payments::PaymentMethod, pricing::Breakdown, sale_contracts::ContractStatus,
    sales_orders::SalesOrderStatus, schedule::PaymentPlan,
};
use crate::store::customer_payments;
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

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
pub struct ContractDto {
    pub id: Uuid,
    pub number: String,
    pub status: ContractStatus,
    pub signed_at: Option<chrono::DateTime<chrono::Utc>>,
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
    pub breakdown: Breakdown,
    pub total: Money,
    pub interest: Money,
    pub payable: Money,
    pub paid_total: Money,
    pub outstanding: Money,
    pub needs_approval: bool,
    pub payment_plan: PaymentPlan,
    pub status: SalesOrderStatus,
    pub status_reason: Option<String>,
    /// What may be done next (the last path segment of the action).
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

impl From<InstalmentView> for InstalmentDto {
    fn from(i: InstalmentView) -> Self {
        Self {
            number: i.row.number,
            due_date: i.row.due_date,
            amount: Money(i.row.amount),
            paid: Money(i.row.paid),
            overdue: i.overdue,
        }
    }
}

impl From<OrderView> for OrderDto {
    fn from(view: OrderView) -> Self {
        let o = view.order;
        Self {
            outstanding: view.outstanding,
            allowed_actions: view.allowed_actions,
            schedule: view
                .schedule
                .map(|rows| rows.into_iter().map(InstalmentDto::from).collect()),
            contract: view.contract.map(|c| ContractDto {
                id: c.id,
                number: c.number,
                status: c.status,
                signed_at: c.signed_at,
            }),
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
            breakdown: o.breakdown,
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
        }
    }
}

fn ok(view: OrderView) -> HttpResponse {
    HttpResponse::Ok().json(OrderDto::from(view))
}

/// Sales orders: dealer staff see their own, managers their dealer's (`q`: order number).
#[utoipa::path(get, path = "/api/v1/sales-orders", tag = "dealer", operation_id = "listSalesOrders", security(("bearer" = [])), params(ListParams, OrderFilter),
    responses((status = 200, body = Page<OrderDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(OrderDto::from)))
}

/// Sells directly, without a quotation; reserves a VIN. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/sales-orders", tag = "dealer", operation_id = "createSalesOrder", security(("bearer" = [])), request_body = NewOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = OrderDto), (status = 409, description = "No unit in stock, or dealer suspended", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<NewOrder>,
) -> ApiResult<HttpResponse> {
    let view = sales::create(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(OrderDto::from(view)))
}

/// Converts an accepted quotation into a sales order at the quoted price (reserving a VIN).
#[utoipa::path(post, path = "/api/v1/quotations/{id}/convert", tag = "dealer", operation_id = "convertQuotation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = PaymentTerms,
    responses((status = 201, body = OrderDto), (status = 409, description = "Not accepted, already converted, or out of stock", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn convert(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<PaymentTerms>,
) -> ApiResult<HttpResponse> {
    let view = sales::convert(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(OrderDto::from(view)))
}

/// One order with its schedule and contract.
#[utoipa::path(get, path = "/api/v1/sales-orders/{id}", tag = "dealer", operation_id = "getSalesOrder", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::get(&state, &caller, *id).await?))
}

/// A manager approves an order whose discount needed it.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/approve", tag = "dealer", operation_id = "approveSalesOrder", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn approve(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::approve(&state, &caller, *id).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelInput {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

/// Cancels an order while no payment was received (any status before delivery); its VIN goes
/// back in stock.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/cancel", tag = "dealer", operation_id = "cancelSalesOrder", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelInput,
    responses((status = 200, body = OrderDto), (status = 409, description = "Payments received (`payments_received`), or delivered", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CancelInput>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    Ok(ok(use_case::cancel(&state, &caller, *id, reason).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractInput {
    #[validate(length(max = 20000))]
    pub terms: Option<String>,
}

/// Drafts the sales contract of an approved order.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/contract", tag = "dealer", operation_id = "draftSalesOrderContract", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ContractInput,
    responses((status = 200, body = OrderDto), (status = 409, description = "Not approved, or already drafted", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn draft_contract(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ContractInput>,
) -> ApiResult<HttpResponse> {
    let terms = body.into_inner().terms;
    Ok(ok(
        settlement::draft_contract(&state, &caller, *id, terms).await?
    ))
}

/// The customer signs the drafted contract; the order is then contracted and can be paid.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/sign", tag = "dealer", operation_id = "signSalesOrderContract", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn sign(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(settlement::sign(&state, &caller, *id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub id: Uuid,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: String,
    pub recorded_by: Uuid,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

impl From<customer_payments::Model> for PaymentDto {
    fn from(p: customer_payments::Model) -> Self {
        Self {
            id: p.id,
            amount: Money(p.amount),
            method: p.method,
            reference: p.reference,
            recorded_by: p.recorded_by,
            received_at: p.received_at,
        }
    }
}

/// The payments received for an order.
#[utoipa::path(get, path = "/api/v1/sales-orders/{id}/payments", tag = "dealer", operation_id = "listSalesOrderPayments", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [PaymentDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list_payments(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let rows = payments::list(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(PaymentDto::from).collect::<Vec<_>>()))
}

/// Records a customer payment on a contracted order, applied to the instalments in order.
/// Send an `Idempotency-Key`: a retried request is then applied once.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/payments", tag = "dealer", operation_id = "recordSalesOrderPayment", security(("bearer" = [])), params(("id" = Uuid, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")), request_body = NewPayment,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "More than is outstanding", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn pay(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewPayment>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        payments::pay(&state, &caller, *id, body.into_inner()).await?
    ))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryInput {
    pub scheduled_at: chrono::DateTime<chrono::Utc>,
}

/// Books the hand-over of a paid vehicle.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/delivery", tag = "dealer", operation_id = "scheduleSalesOrderDelivery", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = DeliveryInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn schedule_delivery(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<DeliveryInput>,
) -> ApiResult<HttpResponse> {
    let at = body.into_inner().scheduled_at;
    Ok(ok(
        settlement::schedule_delivery(&state, &caller, *id, at).await?
    ))
}

/// Hands the vehicle over: the unit is delivered and the sale complete.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/deliver", tag = "dealer", operation_id = "deliverSalesOrder", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn deliver(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(settlement::deliver(&state, &caller, *id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueCheck {
    /// Instalments newly found overdue (one `instalment_overdue` event each).
    pub flagged: usize,
}

/// Flags instalments past due and not fully paid, once each (managers: their dealer's). The
/// module also runs this hourly.
#[utoipa::path(post, path = "/api/v1/sales-orders/overdue-check", tag = "dealer", operation_id = "checkOverdueInstalments", security(("bearer" = [])),
    responses((status = 200, body = OverdueCheck)))]
pub async fn overdue_check(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let flagged = overdue::check(&state, &caller).await?;
    Ok(HttpResponse::Ok().json(OverdueCheck { flagged }))
}
