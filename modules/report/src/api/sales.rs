//! `GET /reports/sales` and `GET /reports/orders`.

use super::{csv, money, uuid_field, wants_csv, ReportParams, State};
use crate::app::{
    sales::{sales as sales_figures, SalesQuery},
    scope::scope_of,
};
use crate::domain::{facts::OrderKind, period::Interval};
use crate::store::{GroupBy, Measures, PipelineCounts, SalesFilter};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use kernel::{ApiError, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesRowDto {
    /// First day of the bucket.
    pub period: NaiveDate,
    /// The group's id (or region name); empty when not grouped.
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub measures: Measures,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesReportDto {
    pub group_by: Option<GroupBy>,
    pub interval: Interval,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Money is in minor units of this currency.
    pub currency: String,
    pub rows: Vec<SalesRowDto>,
    pub totals: Measures,
}

/// Delivered sales (units, revenue, discount, cost, margin) per bucket, optionally grouped.
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "report", operation_id = "getSalesReport", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((SalesReportDto = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "A dealer or salesperson outside the caller's reach", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn sales(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let today = chrono::Utc::now().date_naive();
    let group_by = match p.group_by.as_deref() {
        None | Some("") => None,
        Some(g) => Some(GroupBy::parse(g).ok_or_else(|| {
            ApiError::invalid_field(
                "groupBy",
                "must be dealer, region, branch, salesperson, variant or model",
            )
        })?),
    };
    let query = SalesQuery {
        scope: scope_of(&caller, p.dealer_id()?, p.staff_id()?)?,
        group_by,
        interval: p.interval(Interval::Month)?,
        range: p.range(today, 365)?,
        filter: SalesFilter {
            region: p.region.clone().filter(|r| !r.is_empty()),
            branch_id: uuid_field("branchId", &p.branch_id)?,
            variant_id: uuid_field("variantId", &p.variant_id)?,
            model_id: uuid_field("modelId", &p.model_id)?,
        },
    };
    let figures = sales_figures(state.store.as_ref(), &query)
        .await
        .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let rows = figures
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.period.to_string().into(),
                    l.key.clone().into(),
                    l.label.clone().into(),
                    l.measures.units.into(),
                    money(l.measures.revenue),
                    money(l.measures.discount),
                    money(l.measures.cost),
                    money(l.measures.margin),
                    state.currency.clone().into(),
                ]
            })
            .collect();
        return Ok(csv(
            "sales",
            &[
                "period", "key", "label", "units", "revenue", "discount", "cost", "margin",
                "currency",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(SalesReportDto {
        group_by: query.group_by,
        interval: query.interval,
        from: query.range.from,
        to: query.range.to,
        currency: state.currency.clone(),
        rows: figures
            .lines
            .into_iter()
            .map(|l| SalesRowDto {
                period: l.period,
                key: l.key,
                label: l.label,
                measures: l.measures,
            })
            .collect(),
        totals: figures.totals,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrdersReportDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Dealers' sales orders to customers.
    pub retail: PipelineCounts,
    /// Dealers' orders to the OEM (absent for dealer staff).
    pub dealer_orders: Option<PipelineCounts>,
}

/// The order pipeline: orders created, approved, cancelled, delivered in the range, and open.
#[utoipa::path(get, path = "/api/v1/reports/orders", tag = "report", operation_id = "getOrderPipelineReport", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((OrdersReportDto = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn orders(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ReportParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let range = p.range(chrono::Utc::now().date_naive(), 30)?;
    let scope = scope_of(&caller, p.dealer_id()?, p.staff_id()?)?;
    let store = state.store.as_ref();
    let retail = store
        .pipeline(scope, OrderKind::Retail, range.from, range.to)
        .await
        .map_err(ApiError::internal)?;
    let dealer_orders = if scope.staff_id.is_none() {
        Some(
            store
                .pipeline(scope, OrderKind::Oem, range.from, range.to)
                .await
                .map_err(ApiError::internal)?,
        )
    } else {
        None
    };
    if wants_csv(&req, &p.format)? {
        let row = |kind: &str, c: &PipelineCounts| {
            vec![
                kind.into(),
                c.created.into(),
                c.approved.into(),
                c.cancelled.into(),
                c.delivered.into(),
                c.open.into(),
            ]
        };
        let mut rows = vec![row("retail", &retail)];
        if let Some(d) = &dealer_orders {
            rows.push(row("dealer_orders", d));
        }
        return Ok(csv(
            "orders",
            &[
                "kind",
                "created",
                "approved",
                "cancelled",
                "delivered",
                "open",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(OrdersReportDto {
        from: range.from,
        to: range.to,
        retail,
        dealer_orders,
    }))
}
