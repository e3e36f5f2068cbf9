//! `/dealers/{id}/inventory` and `/dealers/{id}/summary`: stock by VIN and the dashboard.

use super::State;
use crate::app::inventory::{self as use_case, UnitFilter};
use crate::domain::inventory::UnitStatus;
use crate::store::inventory_units;
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    ApiResult, Caller,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitDto {
    pub vin: String,
    pub branch_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: UnitStatus,
    pub cost: Money,
    pub sales_order_id: Option<Uuid>,
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Days since the unit arrived in stock.
    pub aging_days: Option<i64>,
}

impl UnitDto {
    fn at(now: chrono::DateTime<chrono::Utc>, u: inventory_units::Model) -> Self {
        Self {
            aging_days: u.received_at.map(|at| (now - at).num_days()),
            vin: u.vin,
            branch_id: u.branch_id,
            variant_id: u.variant_id,
            colour_id: u.colour_id,
            status: u.status,
            cost: Money(u.cost),
            sales_order_id: u.sales_order_id,
            received_at: u.received_at,
        }
    }
}

/// Units by VIN (`q` = VIN prefix); sort by `createdAt`, `receivedAt`, `vin`.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/inventory", tag = "dealer", operation_id = "listDealerInventory", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams, UnitFilter),
    responses((status = 200, body = Page<UnitDto>), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
    filter: web::Query<UnitFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::units(&state, &caller, *id, &filter, &query).await?;
    let now = chrono::Utc::now();
    Ok(HttpResponse::Ok().json(page.map(|u| UnitDto::at(now, u))))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub dealer_id: Uuid,
    /// Units by status.
    #[schema(value_type = Object)]
    pub stock: serde_json::Map<String, serde_json::Value>,
    pub open_orders: u64,
    /// This month (UTC): delivered orders and their value, against the target.
    pub month: String,
    pub month_units: u64,
    pub month_revenue: Money,
    pub target_units: Option<i32>,
    pub target_revenue: Option<Money>,
}

/// Stock, open orders, and this month's sales against the target.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/summary", tag = "dealer", operation_id = "getDealerSummary", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Summary), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn summary(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let s = use_case::summary(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(Summary {
        dealer_id: s.dealer_id,
        stock: s
            .stock
            .into_iter()
            .map(|(status, units)| (status.as_str().to_owned(), serde_json::json!(units)))
            .collect(),
        open_orders: s.open_orders,
        month: s.month,
        month_units: s.month_units,
        month_revenue: s.month_revenue,
        target_units: s.target.as_ref().map(|t| t.target_units),
        target_revenue: s.target.map(|t| Money(t.target_revenue)),
    }))
}
