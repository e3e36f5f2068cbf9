//! Demand forecasts: the latest run's series, runs, and starting a run (OEM).

use super::{params::uuid_field, State};
use crate::app::{forecasting, labels::label_ids, scope::dealer_scope};
use crate::store::{sql::stmt, Directory};
use actix_web::{web, HttpResponse};
use kernel::{pagination::Page, ApiError, ApiResult, Caller, Db};
use sea_orm::{ConnectionTrait, QueryResult, Value};
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

fn json_of(db: &Db, row: &QueryResult, column: &str) -> anyhow::Result<serde_json::Value> {
    if db.is_sqlite() {
        Ok(serde_json::from_str(&row.try_get::<String>("", column)?)?)
    } else {
        Ok(row.try_get("", column)?)
    }
}

fn run_of(db: &Db, r: &QueryResult) -> anyhow::Result<ForecastRunDto> {
    Ok(ForecastRunDto {
        id: r.try_get("", "id")?,
        status: r.try_get("", "status")?,
        trigger: r.try_get("", "trigger")?,
        horizon: r.try_get("", "horizon")?,
        series_count: r.try_get("", "series_count")?,
        duration_ms: r.try_get("", "duration_ms")?,
        summary: json_of(db, r, "summary")?,
        started_at: r.try_get("", "started_at")?,
        finished_at: r.try_get("", "finished_at")?,
    })
}

const RUN_COLUMNS: &str =
    "id, status, \"trigger\", horizon, series_count, duration_ms, summary, started_at, finished_at";

async fn load_run(db: &Db, id: Uuid) -> Result<Option<ForecastRunDto>, ApiError> {
    let row = db
        .conn()
        .query_one(stmt(
            db.backend(),
            &format!("SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs WHERE id = ?"),
            vec![id.into()],
        ))
        .await?;
    row.map(|r| run_of(db, &r))
        .transpose()
        .map_err(ApiError::internal)
}

/// The series of a run the caller may see: the OEM all, a dealer manager their dealer's.
async fn load_series(
    state: &State,
    run_id: Uuid,
    dealer: Option<Uuid>,
) -> Result<Vec<ForecastSeriesDto>, ApiError> {
    let db = &state.db;
    let mut sql = "SELECT variant_id, dealer_id, history_weeks, model, result FROM \"report\".forecast_series WHERE run_id = ?".to_owned();
    let mut values: Vec<Value> = vec![run_id.into()];
    if let Some(d) = dealer {
        sql.push_str(" AND dealer_id = ?");
        values.push(d.into());
    }
    sql.push_str(" ORDER BY variant_id, dealer_id");
    let rows = db
        .conn()
        .query_all(stmt(db.backend(), &sql, values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(ForecastSeriesDto {
            variant_id: r.try_get("", "variant_id")?,
            variant: String::new(),
            dealer_id: r.try_get("", "dealer_id")?,
            history_weeks: r.try_get("", "history_weeks")?,
            model: r.try_get("", "model")?,
            result: json_of(db, r, "result").map_err(ApiError::internal)?,
        });
    }
    let names = label_ids(
        state.store.as_ref(),
        Directory::Variants,
        out.iter().map(|s| s.variant_id),
    )
    .await
    .map_err(ApiError::internal)?;
    for s in &mut out {
        s.variant = names.get(&s.variant_id).cloned().unwrap_or_default();
    }
    Ok(out)
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
    let db = &state.db;
    let row = db
        .conn()
        .query_one(stmt(
            db.backend(),
            &format!("SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs WHERE status = 'finished' ORDER BY started_at DESC LIMIT 1"),
            vec![],
        ))
        .await?
        .ok_or_else(|| ApiError::not_found("no forecast run has finished yet"))?;
    let run = run_of(db, &row).map_err(ApiError::internal)?;
    let series = load_series(&state, run.id, dealer).await?;
    Ok(HttpResponse::Ok().json(ForecastRunDetailDto { run, series }))
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
    let db = &state.db;
    let page = params.page();
    let page_size = params.page_size();
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    let total = db
        .conn()
        .query_one(stmt(
            db.backend(),
            "SELECT COUNT(*) AS n FROM \"report\".forecast_runs",
            vec![],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let rows = db
        .conn()
        .query_all(stmt(
            db.backend(),
            &format!("SELECT {RUN_COLUMNS} FROM \"report\".forecast_runs ORDER BY started_at DESC, id DESC LIMIT {page_size} OFFSET {offset}"),
            vec![],
        ))
        .await?;
    let items = rows
        .iter()
        .map(|r| run_of(db, r))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        page,
        page_size,
        total: u64::try_from(total).unwrap_or(0),
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
    let run = load_run(&state.db, id)
        .await?
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
    let run = load_run(&state.db, *id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such run"))?;
    let series = load_series(&state, run.id, dealer).await?;
    Ok(HttpResponse::Ok().json(ForecastRunDetailDto { run, series }))
}
