//! `GET /reports/funnel`.

use super::{csv, wants_csv, ReportParams, State};
use crate::app::{
    funnel::{funnel as funnel_figures, FunnelReport},
    scope::scope_of,
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{ApiError, ApiResult, Caller};

/// Leads created in the range by the stage they reached, stage-to-stage conversion, win rate,
/// and test drive → sale conversion.
#[utoipa::path(get, path = "/api/v1/reports/funnel", tag = "report", operation_id = "getFunnelReport", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((FunnelReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn funnel(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let range = p.range(chrono::Utc::now().date_naive(), 90)?;
    let scope = scope_of(&caller, p.dealer_id()?, p.staff_id()?)?;
    let report = funnel_figures(state.store.as_ref(), scope, range)
        .await
        .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = report
            .stages
            .iter()
            .map(|s| {
                vec![
                    s.stage.clone().into(),
                    s.reached.into(),
                    s.conversion.into(),
                ]
            })
            .collect();
        return Ok(csv("funnel", &["stage", "reached", "conversion"], rows));
    }
    Ok(HttpResponse::Ok().json(report))
}
