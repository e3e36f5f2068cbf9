//! `/customers/{id}/timeline`: the interaction timeline of a customer.

use super::State;
use crate::app::timeline as use_case;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    ApiResult, Caller,
};
use uuid::Uuid;

/// What happened with the customer, newest first: leads, test drives, feedback, and the
/// dealer's quotations, orders, payments and deliveries.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customer", operation_id = "listCustomerTimeline", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<crate::domain::timeline::TimelineEntry>), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, *id, query.page(), query.page_size()).await?;
    Ok(HttpResponse::Ok().json(page))
}
