//! The interaction timeline of a customer over HTTP.

use super::{customers::visible, State};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    ApiError, ApiResult, Caller,
};
use uuid::Uuid;

/// What happened with the customer, newest first: leads, test drives, feedback, and the
/// dealer's quotations, orders, payments and deliveries.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<crate::timeline::TimelineEntry>), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let customer = visible(state.db.conn(), &caller, *id).await?;
    let page = state
        .timeline
        .list(customer.id, query.page(), query.page_size())
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(page))
}
