//! `GET /reports/dashboard`.

use super::{ReportParams, State};
use crate::app::{
    dashboard::{dashboard as build, Dashboard, DashboardRequest},
    scope::{is_oem, scope_of},
};
use crate::domain::period::Range;
use actix_web::{web, HttpResponse};
use kernel::{ApiError, ApiResult, Caller, Role};

/// KPI cards for the caller's role, each with the previous period: month to date against the
/// same days of last month, or a `from`/`to` range against the range just before it. Cards are
/// served from a short cache per caller scope (`analytics.dashboard_cache_secs`; `asOf` says
/// when they were read).
#[utoipa::path(get, path = "/api/v1/reports/dashboard", tag = "report", operation_id = "getDashboard", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = Dashboard),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn dashboard(
    state: State,
    caller: Caller,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let (range, previous) = if p.from.is_none() && p.to.is_none() {
        let mtd = Range::month_to_date(today);
        (mtd, mtd.previous_month())
    } else {
        let r = p.range(today, 30)?;
        (r, r.previous())
    };
    let scope = scope_of(&caller, p.dealer_id()?, p.staff_id()?)?;
    let request = DashboardRequest {
        scope,
        range,
        previous,
        show_dealer_debt: caller.role != Role::DealerStaff,
        show_stock: scope.staff_id.is_none(),
        oem: is_oem(&caller),
        currency: state.currency.clone(),
        now,
    };
    // The same scope and range within the cache time get the same cards: a dashboard is read
    // often and its figures come from eventually consistent read models anyway.
    let key = format!(
        "report:dashboard:{}:{}:{}:{}:{}",
        caller.role,
        scope.dealer_id.map(|d| d.to_string()).unwrap_or_default(),
        scope.staff_id.map(|s| s.to_string()).unwrap_or_default(),
        range.from,
        range.to
    );
    let cached = if state.dashboard_ttl.is_zero() {
        None
    } else {
        state.cache.get(&key).await.unwrap_or_else(|error| {
            tracing::warn!(error = %format!("{error:#}"), "dashboard cache unreadable; reading the figures");
            None
        })
    };
    let body = match cached {
        Some(body) => body,
        None => {
            let cards = build(state.store.as_ref(), request)
                .await
                .map_err(ApiError::internal)?;
            let body = serde_json::to_string(&cards).map_err(ApiError::internal)?;
            if !state.dashboard_ttl.is_zero() {
                if let Err(error) = state.cache.set(&key, &body, state.dashboard_ttl).await {
                    tracing::warn!(error = %format!("{error:#}"), "dashboard not cached");
                }
            }
            body
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "private, max-age=0"))
        .body(body))
}
