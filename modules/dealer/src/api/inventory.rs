//! A dealer's stock by VIN, and its dashboard summary.

use super::{dealers::visible_dealer, State};
use crate::store::{inventory_units, sales_orders, sales_targets};
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    ApiResult, Caller,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitDto {
    pub vin: String,
    pub branch_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: String,
    pub cost: Money,
    pub sales_order_id: Option<Uuid>,
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Days since the unit arrived in stock.
    pub aging_days: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    /// in_transit | in_stock | reserved | sold | delivered | demo
    pub status: Option<String>,
    pub variant_id: Option<Uuid>,
    pub colour_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

/// Units by VIN (`q` = VIN prefix); sort by `createdAt`, `receivedAt`, `vin`.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/inventory", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams, UnitFilter),
    responses((status = 200, body = Page<UnitDto>), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
    filter: web::Query<UnitFilter>,
) -> ApiResult<HttpResponse> {
    use inventory_units::Column as C;
    caller.ensure_dealer(*id)?;
    let mut select = inventory_units::Entity::find().filter(C::DealerId.eq(*id));
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(v) = filter.variant_id {
        select = select.filter(C::VariantId.eq(v));
    }
    if let Some(v) = filter.colour_id {
        select = select.filter(C::ColourId.eq(v));
    }
    if let Some(v) = filter.branch_id {
        select = select.filter(C::BranchId.eq(v));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Vin.starts_with(q.to_uppercase()));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("receivedAt", C::ReceivedAt),
        ("vin", C::Vin),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Desc),
            C::Vin,
        )
        .await?;
    let now = chrono::Utc::now();
    Ok(HttpResponse::Ok().json(page.map(|u| UnitDto {
        aging_days: u.received_at.map(|at| (now - at).num_days()),
        vin: u.vin,
        branch_id: u.branch_id,
        variant_id: u.variant_id,
        colour_id: u.colour_id,
        status: u.status,
        cost: Money(u.cost),
        sales_order_id: u.sales_order_id,
        received_at: u.received_at,
    })))
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    status: String,
    units: i64,
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
#[utoipa::path(get, path = "/api/v1/dealers/{id}/summary", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Summary), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn summary(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let counts = inventory_units::Entity::find()
        .select_only()
        .column(inventory_units::Column::Status)
        .column_as(Expr::col(inventory_units::Column::Vin).count(), "units")
        .filter(inventory_units::Column::DealerId.eq(dealer.id))
        .group_by(inventory_units::Column::Status)
        .into_model::<StatusCount>()
        .all(db.conn())
        .await?;
    let stock = counts
        .into_iter()
        .map(|c| (c.status, serde_json::json!(c.units)))
        .collect();
    let open_orders = sales_orders::Entity::find()
        .filter(sales_orders::Column::DealerId.eq(dealer.id))
        .filter(sales_orders::Column::Status.is_not_in(["delivered", "cancelled"]))
        .count(db.conn())
        .await?;
    let now = chrono::Utc::now();
    let month = now.format("%Y-%m").to_string();
    let month_start = now
        .date_naive()
        .with_day0(0)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or(now);
    let delivered = sales_orders::Entity::find()
        .filter(sales_orders::Column::DealerId.eq(dealer.id))
        .filter(sales_orders::Column::Status.eq("delivered"))
        .filter(sales_orders::Column::DeliveredAt.gte(month_start))
        .all(db.conn())
        .await?;
    let target = sales_targets::Entity::find()
        .filter(sales_targets::Column::DealerId.eq(dealer.id))
        .filter(sales_targets::Column::Period.eq(month.as_str()))
        .one(db.conn())
        .await?;
    Ok(HttpResponse::Ok().json(Summary {
        dealer_id: dealer.id,
        stock,
        open_orders,
        month,
        month_units: delivered.len() as u64,
        month_revenue: Money(delivered.iter().map(|o| o.total).sum()),
        target_units: target.as_ref().map(|t| t.target_units),
        target_revenue: target.map(|t| Money(t.target_revenue)),
    }))
}
