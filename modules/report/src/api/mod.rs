//! HTTP API of the report module under `/api/v1/reports`: one file per report, one route
//! table. Handlers parse and check the parameters, resolve the caller's scope and call `app/`.

pub mod dashboard;
pub mod debts;
pub mod forecasts;
pub mod funnel;
pub mod inventory;
pub mod params;
pub mod sales;
pub mod tabular;
pub mod targets;

use crate::app::Reports;
use actix_web::web;
use kernel::{Access, RouteTable};

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
