//! Demand forecasts: the latest run's series, runs, and starting a run (OEM).

use super::{uuid_field, State};
use crate::app::{forecasting, scope::dealer_scope};
use crate::store::forecast_runs::{self, RunRow};
use actix_web::{web, HttpResponse};
use kernel::{pagination::Page, ApiError, ApiResult, Caller};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForecastRunDto {
    pub id: Uuid,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// `manual` or `nightly`.
    pub trigger: String,
    pub horizon: i32,
    pub series_count: i32,
    pub duration_ms: i64,
    /// Models chosen, mean MASE relative to seasonal naive, series a baseline won, errors.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForecastSeriesDto {
    pub variant_id: Uuid,
    pub variant: String,
    /// Absent for the network-wide series.
    pub dealer_id: Option<Uuid>,
    pub history_weeks: i32,
    /// The model the backtest chose.
    pub model: String,
    /// First and last week of history, the forecast with 80 % and 95 % intervals per week
    /// ahead, the chosen model's parameters, its backtest (MASE, sMAPE, interval coverage, the
    /// baselines' MASE) and every candidate's.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForecastRunDetailDto {
    pub run: ForecastRunDto,
    pub series: Vec<ForecastSeriesDto>,
}

fn run_dto(r: RunRow) -> ForecastRunDto {
    ForecastRunDto {
        id: r.id,
        status: r.status,
        trigger: r.trigger,
        horizon: r.horizon,
        series_count: r.series_count,
        duration_ms: r.duration_ms,
        summary: r.summary,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

fn detail_dto(d: forecasting::RunDetail) -> ForecastRunDetailDto {
    ForecastRunDetailDto {
        run: run_dto(d.run),
        series: d
            .series
            .into_iter()
            .map(|(s, variant)| ForecastSeriesDto {
                variant_id: s.variant_id,
                variant,
                dealer_id: s.dealer_id,
                history_weeks: s.history_weeks,
                model: s.model,
                result: s.result,
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ForecastParams {
    /// OEM: one dealer's series. Dealer managers always see only their own.
    pub dealer_id: Option<String>,
}

/// The latest finished run with the series the caller may see.
#[utoipa::path(get, path = "/api/v1/reports/forecasts", tag = "report", operation_id = "getLatestForecast", security(("bearer" = [])), params(ForecastParams),
    responses((status = 200, body = ForecastRunDetailDto),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No run has finished yet", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn latest(
    state: State,
    caller: Caller,
    params: web::Query<ForecastParams>,
) -> ApiResult<HttpResponse> {
    let dealer = dealer_scope(&caller, uuid_field("dealerId", &params.dealer_id)?)?;
    let detail = forecasting::latest_detail(&state.db, state.store.as_ref(), dealer)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("no forecast run has finished yet"))?;
    Ok(HttpResponse::Ok().json(detail_dto(detail)))
}

/// Forecast runs, newest first.
#[utoipa::path(get, path = "/api/v1/reports/forecasts/runs", tag = "report", operation_id = "listForecastRuns", security(("bearer" = [])), params(kernel::pagination::ListParams, ForecastParams),
    responses((status = 200, body = Page<ForecastRunDto>),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn runs(
    state: State,
    caller: Caller,
    params: web::Query<kernel::pagination::ListParams>,
    scope: web::Query<ForecastParams>,
) -> ApiResult<HttpResponse> {
    // Runs are network-wide; a dealer filter is still checked, so naming another dealer is a 404.
    dealer_scope(&caller, uuid_field("dealerId", &scope.dealer_id)?)?;
    let page = params.page();
    let page_size = params.page_size();
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    let (runs, total) = forecast_runs::page(&state.db, page_size, offset)
        .await
        .map_err(ApiError::internal)?;
    let items: Vec<ForecastRunDto> = runs.into_iter().map(run_dto).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        page,
        page_size,
        total,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartRun {
    /// Weeks ahead, 1–12 (default 12).
    pub horizon: Option<i64>,
}

/// Starts a forecast run over every series (OEM). Answers at once; poll the run.
#[utoipa::path(post, path = "/api/v1/reports/forecasts/runs", tag = "report", operation_id = "startForecastRun", security(("bearer" = [])), request_body(content = Option<StartRun>),
    responses((status = 202, body = ForecastRunDto),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn start_run(state: State, body: web::Bytes) -> ApiResult<HttpResponse> {
    let request: StartRun = if body.iter().all(u8::is_ascii_whitespace) {
        StartRun::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the body is not a run request: {e}")))?
    };
    let horizon = request.horizon.unwrap_or(12);
    let horizon = usize::try_from(horizon)
        .ok()
        .filter(|h| (1..=12).contains(h))
        .ok_or_else(|| ApiError::invalid_field("horizon", "must be 1 to 12 weeks"))?;
    let id = forecasting::start_run(state.db.clone(), state.store.clone(), "manual", horizon)
        .await
        .map_err(ApiError::internal)?;
    let run = forecast_runs::run(&state.db, id)
        .await
        .map_err(ApiError::internal)?
        .map(run_dto)
        .ok_or_else(|| ApiError::not_found("no such run"))?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/reports/forecasts/runs/{id}")))
        .json(run))
}

/// One run with the series the caller may see.
#[utoipa::path(get, path = "/api/v1/reports/forecasts/runs/{id}", tag = "report", operation_id = "getForecastRun", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ForecastRunDetailDto),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn run(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let dealer = dealer_scope(&caller, None)?;
    let detail = forecasting::run_detail(&state.db, state.store.as_ref(), *id, dealer)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("no such run"))?;
    Ok(HttpResponse::Ok().json(detail_dto(detail)))
}
