//! Dealer orders to the OEM: placed by a dealer manager, approved, allocated VIN by VIN,
//! shipped with an invoice, then delivered or disputed.

use super::State;
use crate::app::orders::{self as use_case, NewLine, NewOrder, OrderFilter, OrderView};
use crate::domain::lifecycle::OrderStatus;
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
    pub status: OrderStatus,
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

impl From<OrderView> for OrderDto {
    fn from(view: OrderView) -> Self {
        let o = view.order;
        Self {
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
            allowed_actions: view.allowed_actions,
            lines: view.lines.map(|lines| {
                lines
                    .into_iter()
                    .map(|l| OrderLineDto {
                        variant_id: l.variant_id,
                        colour_id: l.colour_id,
                        quantity: l.quantity,
                        unit_price: Money(l.unit_price),
                    })
                    .collect()
            }),
            vins: view.vins,
        }
    }
}

fn ok(view: OrderView) -> HttpResponse {
    HttpResponse::Ok().json(OrderDto::from(view))
}

/// Dealer orders; a dealer manager sees only their dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-orders", operation_id = "listDealerOrders", tag = "manufacturer", security(("bearer" = [])), params(ListParams, OrderFilter),
    responses((status = 200, body = Page<OrderDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(OrderDto::from)))
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
#[utoipa::path(post, path = "/api/v1/dealer-orders", operation_id = "placeDealerOrder", tag = "manufacturer", security(("bearer" = [])), request_body = PlaceOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = OrderDto), (status = 409, description = "No contract in force", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn place(
    db: State,
    caller: Caller,
    body: ValidJson<PlaceOrder>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewOrder {
        lines: body
            .lines
            .into_iter()
            .map(|l| NewLine {
                variant_id: l.variant_id,
                colour_id: l.colour_id,
                quantity: l.quantity,
            })
            .collect(),
        note: body.note,
    };
    let placed = use_case::place(&db, &caller, new).await?;
    Ok(HttpResponse::Created().json(OrderDto::from(placed)))
}

/// One order with its lines and allocated VINs.
#[utoipa::path(get, path = "/api/v1/dealer-orders/{id}", operation_id = "getDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::get(&db, &caller, *id).await?))
}

/// OEM staff approve a pending order if the dealer's credit allows it: unpaid invoices plus
/// approved, not yet invoiced orders plus this one must stay within the contract's limit.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/approve", operation_id = "approveDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, description = "Illegal transition or credit limit exceeded", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn approve(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::approve(&db, &caller, *id).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReasonInput {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

/// OEM staff reject a pending order, saying why.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/reject", operation_id = "rejectDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reject(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    Ok(ok(use_case::reject(&db, &caller, *id, reason).await?))
}

/// The dealer manager cancels their order; only while it is pending.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/cancel", operation_id = "cancelDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, description = "Not pending any more", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::cancel(&db, &caller, *id).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AllocateInput {
    /// The VINs to allocate; omitted = the oldest warehouse units matching each line.
    pub vins: Option<Vec<String>>,
}

/// OEM staff allocate warehouse units to an approved order: exactly the lines' variant ×
/// colour × quantity. A VIN goes to one order only, even when two allocations race.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/allocate", operation_id = "allocateDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AllocateInput,
    responses((status = 200, body = OrderDto), (status = 409, description = "Illegal transition or VIN not available", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn allocate(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<AllocateInput>,
) -> ApiResult<HttpResponse> {
    let vins = body.into_inner().vins;
    Ok(ok(use_case::allocate(&db, &caller, *id, vins).await?))
}

/// OEM staff ship an allocated order: its units go in transit and the dealer is invoiced
/// (due after the contract's payment terms).
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/ship", operation_id = "shipDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn ship(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::ship(&db, &caller, *id).await?))
}

/// The dealer manager confirms receipt: the units become the dealer's stock.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/deliver", operation_id = "deliverDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn deliver(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::deliver(&db, &caller, *id).await?))
}

/// The dealer manager disputes a shipment (damage, wrong units, missing units).
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/dispute", operation_id = "disputeDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn dispute(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    Ok(ok(use_case::dispute(&db, &caller, *id, reason).await?))
}

/// OEM staff resolve a dispute (the resolution is recorded); the units are handed over.
#[utoipa::path(post, path = "/api/v1/dealer-orders/{id}/resolve", operation_id = "resolveDealerOrder", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReasonInput,
    responses((status = 200, body = OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ReasonInput>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    Ok(ok(use_case::resolve(&db, &caller, *id, reason).await?))
}
