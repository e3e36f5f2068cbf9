//! The interaction timeline of a customer over HTTP.

use super::{customers::visible, State};
use actix_web::{web, HttpResponse};
use kernel::{pagination::ListParams, ApiError, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePageDto {
    pub items: Vec<crate::timeline::TimelineEntry>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

/// What happened with the customer, newest first: leads, test drives, feedback, and the
/// dealer's quotations, orders, payments and deliveries.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = TimelinePageDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
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
    Ok(HttpResponse::Ok().json(TimelinePageDto {
        items: page.entries,
        page: query.page(),
        page_size: query.page_size(),
        total: page.total,
    }))
}
