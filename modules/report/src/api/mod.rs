//! HTTP API of the report module under `/api/v1/reports`: one file per report, one route
//! table. Handlers parse and check the parameters, resolve the caller's scope and call `app/`.

pub mod dashboard;
pub mod debts;
pub mod forecasts;
pub mod funnel;
pub mod inventory;
pub mod sales;
pub mod targets;

use crate::app::Reports;
use crate::domain::csv::{line, Cell};
use crate::domain::period::{Interval, Range};
use actix_web::web;
use actix_web::{http::header, web::Bytes, HttpRequest, HttpResponse};
use chrono::{Days, NaiveDate};
use futures_util::stream;
use kernel::ApiError;
use kernel::{Access, RouteTable};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

pub type State = web::Data<Reports>;

/// Everyone with figures (the OEM and admins network-wide, dealer people within their dealer);
/// dealer-level figures (debts to the OEM, targets, forecasts) are not for dealer staff.
pub use kernel::auth::roles::{OEM, OEM_AND_MANAGERS as MANAGERS_AND_OEM, PEOPLE};

pub fn routes(r: &mut RouteTable, state: State) {
    use Access::Roles;
    r.app_data(state);
    r.get("/reports/sales", Roles(PEOPLE), sales::sales)
        .get("/reports/orders", Roles(PEOPLE), sales::orders)
        .get(
            "/reports/targets",
            Roles(MANAGERS_AND_OEM),
            targets::targets,
        )
        .get("/reports/promotions", Roles(PEOPLE), targets::promotions)
        .get("/reports/inventory", Roles(PEOPLE), inventory::inventory)
        .get("/reports/funnel", Roles(PEOPLE), funnel::funnel)
        .get(
            "/reports/debts/dealers",
            Roles(MANAGERS_AND_OEM),
            debts::dealers,
        )
        .get("/reports/debts/customers", Roles(PEOPLE), debts::customers)
        .get("/reports/dashboard", Roles(PEOPLE), dashboard::dashboard)
        .get(
            "/reports/forecasts",
            Roles(MANAGERS_AND_OEM),
            forecasts::latest,
        )
        .get(
            "/reports/forecasts/runs",
            Roles(MANAGERS_AND_OEM),
            forecasts::runs,
        )
        .post("/reports/forecasts/runs", Roles(OEM), forecasts::start_run)
        .get(
            "/reports/forecasts/runs/{id}",
            Roles(MANAGERS_AND_OEM),
            forecasts::run,
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        sales::sales, sales::orders, targets::targets, targets::promotions, inventory::inventory,
        funnel::funnel, debts::dealers, debts::customers, dashboard::dashboard, forecasts::latest,
        forecasts::runs, forecasts::start_run, forecasts::run,
    ),
    tags((name = "report", description = "Sales, inventory, funnel, debt and target figures, the dashboard, and demand forecasts, from event-fed read models. Every table report is also CSV (`Accept: text/csv` or `format=csv`)."))
)]
pub struct ApiDoc;

// ---- The query parameters reports share, checked into typed values (422 naming the field).

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    pub to: Option<String>,
    /// `day`, `week` or `month`.
    pub interval: Option<String>,
    /// `dealer`, `region`, `branch`, `salesperson`, `variant` or `model`.
    pub group_by: Option<String>,
    /// OEM and admins: one dealer. Dealer roles: only their own.
    pub dealer_id: Option<String>,
    /// One salesperson (dealer staff: only themselves).
    pub staff_id: Option<String>,
    pub region: Option<String>,
    pub branch_id: Option<String>,
    pub variant_id: Option<String>,
    pub model_id: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

pub fn uuid_field(field: &str, value: &Option<String>) -> Result<Option<Uuid>, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_field(field, "must be a UUID"))
        })
        .transpose()
}

fn date_field(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_field(field, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl ReportParams {
    /// The range asked for; missing ends default to the last `default_days` days.
    pub fn range(&self, today: NaiveDate, default_days: u64) -> Result<Range, ApiError> {
        let to = date_field("to", &self.to)?.unwrap_or(today);
        let from = match date_field("from", &self.from)? {
            Some(from) => from,
            None => to
                .checked_sub_days(Days::new(default_days.saturating_sub(1)))
                .unwrap_or(to),
        };
        Range::new(from, to).map_err(|message| ApiError::invalid_field("to", message))
    }

    pub fn interval(&self, default: Interval) -> Result<Interval, ApiError> {
        match self.interval.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => Interval::parse(s)
                .ok_or_else(|| ApiError::invalid_field("interval", "must be day, week or month")),
        }
    }

    pub fn dealer_id(&self) -> Result<Option<Uuid>, ApiError> {
        uuid_field("dealerId", &self.dealer_id)
    }

    pub fn staff_id(&self) -> Result<Option<Uuid>, ApiError> {
        uuid_field("staffId", &self.staff_id)
    }
}

// ---- Table reports as CSV: chosen by `format=csv` or `Accept: text/csv`, streamed row by row with a header, RFC 4180 quoting and formula neutralisation (`domain::csv`).

/// Whether the caller asked for CSV.
pub fn wants_csv(req: &HttpRequest, format: &Option<String>) -> Result<bool, ApiError> {
    match format.as_deref() {
        Some("csv") => return Ok(true),
        Some("json") => return Ok(false),
        None | Some("") => {}
        Some(_) => return Err(ApiError::invalid_field("format", "must be json or csv")),
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(accept.split(',').any(|part| {
        part.trim()
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
    }))
}

/// A CSV download: header row, then one line per row, sent as they are written.
pub fn csv(name: &str, columns: &[&str], rows: Vec<Vec<Cell>>) -> HttpResponse {
    let header_cells: Vec<Cell> = columns.iter().map(|c| Cell::from(*c)).collect();
    let lines = std::iter::once(header_cells)
        .chain(rows)
        .map(|cells| Ok::<_, std::convert::Infallible>(Bytes::from(line(&cells))));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .streaming(stream::iter(lines))
}

/// A money cell in minor units.
pub fn money(v: i64) -> Cell {
    Cell::Int(v)
}
