//! `/quotations`: priced offers; draft → sent → accepted | rejected | expired → converted (the
//! conversion is a sales order: `sales_orders::convert`).

use super::State;
use crate::app::quotations::{self as use_case, NewQuotation, QuotationFilter};
use crate::domain::{
    pricing::Breakdown,
    quotations::{QuotationAction, QuotationStatus},
};
use crate::store::quotations;
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller, Lifecycle,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotationDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub breakdown: Breakdown,
    pub total: Money,
    pub manual_discount_bp: i32,
    /// As of today: a sent quotation past its validity is `expired`.
    pub status: QuotationStatus,
    /// What may be done next (the last path segment of the action).
    pub allowed_actions: Vec<String>,
    pub valid_until: chrono::NaiveDate,
    pub sales_order_id: Option<Uuid>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<quotations::Model> for QuotationDto {
    fn from(q: quotations::Model) -> Self {
        let status = q.effective_status();
        Self {
            allowed_actions: status.allowed_names(),
            status,
            id: q.id,
            number: q.number,
            dealer_id: q.dealer_id,
            branch_id: q.branch_id,
            customer_id: q.customer_id,
            staff_id: q.staff_id,
            variant_id: q.variant_id,
            colour_id: q.colour_id,
            breakdown: q.breakdown,
            total: Money(q.total),
            manual_discount_bp: q.manual_discount_bp,
            valid_until: q.valid_until,
            sales_order_id: q.sales_order_id,
            version: q.version,
            created_at: q.created_at,
        }
    }
}

fn ok(q: quotations::Model) -> HttpResponse {
    HttpResponse::Ok().json(QuotationDto::from(q))
}

/// Quotations: dealer staff see their own, managers their dealer's; `q` matches part of the number.
#[utoipa::path(get, path = "/api/v1/quotations", tag = "dealer", operation_id = "listQuotations", security(("bearer" = [])), params(ListParams, QuotationFilter),
    responses((status = 200, body = Page<QuotationDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<QuotationFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(QuotationDto::from)))
}

/// Drafts a quotation, priced server-side.
#[utoipa::path(post, path = "/api/v1/quotations", tag = "dealer", operation_id = "draftQuotation", security(("bearer" = [])), request_body = NewQuotation,
    responses((status = 201, body = QuotationDto), (status = 409, description = "Dealer suspended", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<NewQuotation>,
) -> ApiResult<HttpResponse> {
    let quotation = use_case::draft(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(QuotationDto::from(quotation)))
}

/// One quotation with its price breakdown.
#[utoipa::path(get, path = "/api/v1/quotations/{id}", tag = "dealer", operation_id = "getQuotation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::get(&state, &caller, *id).await?))
}

/// Sends the quotation to the customer.
#[utoipa::path(post, path = "/api/v1/quotations/{id}/send", tag = "dealer", operation_id = "sendQuotation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn send(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        QuotationAction::Send,
    )
    .await?))
}

/// The customer accepted (before it expired).
#[utoipa::path(post, path = "/api/v1/quotations/{id}/accept", tag = "dealer", operation_id = "acceptQuotation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn accept(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        QuotationAction::Accept,
    )
    .await?))
}

/// The customer declined.
#[utoipa::path(post, path = "/api/v1/quotations/{id}/reject", tag = "dealer", operation_id = "rejectQuotation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reject(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        QuotationAction::Reject,
    )
    .await?))
}
