//! `GET /auth/revocations`: the revocation feed for processes that verify tokens without the
//! auth module (split services). Internal: it needs the deployment's shared key
//! (`secrets.internal_key`) in the `X-EVDMS-Internal-Key` header.

use super::State;
use crate::app::revocations;
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{revocation::RevocationFeed, ApiError, ApiResult};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Unix milliseconds: revocations recorded at or after it (the `cursor` of the previous
    /// answer); 0 or absent = every unexpired revocation.
    #[serde(default)]
    pub since: i64,
}

/// Revoked access tokens and sessions that have not expired, recorded since `since`. Poll with
/// the returned `cursor` (it lies a little behind now, so expect repeats).
#[utoipa::path(get, path = "/api/v1/auth/revocations", operation_id = "listRevocations", tag = "auth", params(FeedQuery),
    responses(
        (status = 200, body = RevocationFeed),
        (status = 401, description = "Missing or wrong internal key (X-EVDMS-Internal-Key)", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No internal key is configured (production)", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad `since`", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn feed(
    state: State,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let Some(key) = kernel::internal::key(&state.settings) else {
        return Err(ApiError::not_found("no such resource"));
    };
    let offered = req
        .headers()
        .get(kernel::internal::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !kernel::internal::matches(&key, offered) {
        return Err(ApiError::unauthorized(
            "the internal key (X-EVDMS-Internal-Key) is required",
        ));
    }
    if query.since < 0 {
        return Err(ApiError::invalid_field("since", "must not be negative"));
    }
    let feed = revocations::feed(&state.db, query.since)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(feed))
}
