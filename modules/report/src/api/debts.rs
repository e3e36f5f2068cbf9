//! `GET /reports/debts/dealers` and `GET /reports/debts/customers`.

use super::{csv, money, wants_csv, State};
use crate::app::{
    debts::{customer_debts, dealer_debts, CustomerDebtReport, DealerDebtReport},
    scope::{dealer_scope, scope_of},
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{ApiError, ApiResult, Caller};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DebtParams {
    pub dealer_id: Option<String>,
    /// Customer debts of one salesperson's orders (dealer staff: only themselves).
    pub staff_id: Option<String>,
    /// Customer debts: instalments due within this many days count as due soon (0–90, default 7).
    pub due_soon_days: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// What each dealer owes the OEM, aged by days past due (current, 0–30, 31–60, 61–90, 90+).
#[utoipa::path(get, path = "/api/v1/reports/debts/dealers", tag = "report", operation_id = "getDealerDebtReport", security(("bearer" = [])), params(DebtParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((DealerDebtReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn dealers(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<DebtParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let dealer = dealer_scope(&caller, super::uuid_field("dealerId", &p.dealer_id)?)?;
    let report = dealer_debts(
        state.store.as_ref(),
        dealer,
        chrono::Utc::now().date_naive(),
    )
    .await
    .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = report
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.dealer_id.to_string().into(),
                    l.dealer.clone().into(),
                    l.open_invoices.into(),
                    money(l.outstanding),
                    money(l.aging.current),
                    money(l.aging.days0_30),
                    money(l.aging.days31_60),
                    money(l.aging.days61_90),
                    money(l.aging.days90_plus),
                    state.currency.clone().into(),
                ]
            })
            .collect();
        return Ok(csv(
            "dealer-debts",
            &[
                "dealer_id",
                "dealer",
                "open_invoices",
                "outstanding",
                "current",
                "days_0_30",
                "days_31_60",
                "days_61_90",
                "days_90_plus",
                "currency",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// What customers owe on their orders: outstanding, due soon and overdue instalments.
#[utoipa::path(get, path = "/api/v1/reports/debts/customers", tag = "report", operation_id = "getCustomerDebtReport", security(("bearer" = [])), params(DebtParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((CustomerDebtReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn customers(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<DebtParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let scope = scope_of(
        &caller,
        super::uuid_field("dealerId", &p.dealer_id)?,
        super::uuid_field("staffId", &p.staff_id)?,
    )?;
    let due_soon_days = match p.due_soon_days.as_deref() {
        None | Some("") => 7,
        Some(v) => v.parse::<u64>().ok().filter(|d| *d <= 90).ok_or_else(|| {
            ApiError::invalid_field("dueSoonDays", "must be a number from 0 to 90")
        })?,
    };
    let report = customer_debts(
        state.store.as_ref(),
        scope,
        chrono::Utc::now().date_naive(),
        due_soon_days,
    )
    .await
    .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = report
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.dealer_id.to_string().into(),
                    l.dealer.clone().into(),
                    l.open_orders.into(),
                    money(l.debt.outstanding),
                    money(l.debt.due_soon),
                    money(l.debt.overdue),
                    l.debt.overdue_instalments.into(),
                    state.currency.clone().into(),
                ]
            })
            .collect();
        return Ok(csv(
            "customer-debts",
            &[
                "dealer_id",
                "dealer",
                "open_orders",
                "outstanding",
                "due_soon",
                "overdue",
                "overdue_instalments",
                "currency",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}
