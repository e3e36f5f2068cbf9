//! `GET /reports/targets` and `GET /reports/promotions`.

use super::{csv, money, wants_csv, ReportParams, State};
use crate::app::{
    scope::{dealer_scope, scope_of},
    targets::{self, PromotionLine, TargetLine},
};
use crate::domain::period::{Interval, Range};
use crate::store::Scope;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use kernel::{ApiError, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetsReportDto {
    pub currency: String,
    pub items: Vec<TargetLine>,
}

/// Target achievement per dealer and month (whole months of the range; default this month),
/// with each salesperson's units and revenue.
#[utoipa::path(get, path = "/api/v1/reports/targets", tag = "report", operation_id = "getTargetsReport", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((TargetsReportDto = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn targets(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let today = chrono::Utc::now().date_naive();
    let asked = p.range(today, u64::from(today.day()))?;
    let months = Range {
        from: Interval::Month.bucket(asked.from),
        to: last_of_month(asked.to),
    };
    let scope = Scope {
        dealer_id: dealer_scope(&caller, p.dealer_id()?)?,
        staff_id: None,
    };
    let items = targets::targets(state.store.as_ref(), scope, months)
        .await
        .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = items
            .iter()
            .map(|t| {
                vec![
                    t.period.clone().into(),
                    t.dealer_id.to_string().into(),
                    t.dealer.clone().into(),
                    t.target_units.into(),
                    t.units.into(),
                    t.units_achievement.into(),
                    money(t.target_revenue),
                    money(t.revenue),
                    t.revenue_achievement.into(),
                    state.currency.clone().into(),
                ]
            })
            .collect();
        return Ok(csv(
            "targets",
            &[
                "period",
                "dealer_id",
                "dealer",
                "target_units",
                "units",
                "units_achievement",
                "target_revenue",
                "revenue",
                "revenue_achievement",
                "currency",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(TargetsReportDto {
        currency: state.currency.clone(),
        items,
    }))
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    Interval::Month
        .bucket(day)
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionsReportDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub items: Vec<PromotionLine>,
}

/// Promotion uptake: sales that used each promotion, the discount it gave, and its share.
#[utoipa::path(get, path = "/api/v1/reports/promotions", tag = "report", operation_id = "getPromotionsReport", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((PromotionsReportDto = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn promotions(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let range = p.range(chrono::Utc::now().date_naive(), 90)?;
    let scope = scope_of(&caller, p.dealer_id()?, p.staff_id()?)?;
    let items = targets::promotions(state.store.as_ref(), scope, range)
        .await
        .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = items
            .iter()
            .map(|u| {
                vec![
                    u.promotion_id.to_string().into(),
                    u.name.clone().into(),
                    u.source.clone().into(),
                    u.sales.into(),
                    money(u.discount),
                    u.uptake.into(),
                    state.currency.clone().into(),
                ]
            })
            .collect();
        return Ok(csv(
            "promotions",
            &[
                "promotion_id",
                "name",
                "source",
                "sales",
                "discount",
                "uptake",
                "currency",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(PromotionsReportDto {
        from: range.from,
        to: range.to,
        currency: state.currency.clone(),
        items,
    }))
}
