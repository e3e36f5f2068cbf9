//! `GET /reports/inventory`: dealer side (default) or OEM side (`side=oem`, OEM only).

use super::{csv, wants_csv, State};
use crate::app::{
    inventory::{inventory as inventory_figures, InventoryReport},
    scope::{is_oem, scope_of},
};
use crate::store::Scope;
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{ApiError, ApiResult, Caller};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InventoryParams {
    /// `dealer` (default) or `oem` (OEM staff and admins).
    pub side: Option<String>,
    /// Days of sales the speed, turnover and days of supply are measured over (7–365, default 90).
    pub window_days: Option<String>,
    pub dealer_id: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Stock on hand, reserved, in transit, aging buckets, consumption speed, days of supply and
/// turnover per dealer and variant.
#[utoipa::path(get, path = "/api/v1/reports/inventory", tag = "report", operation_id = "getInventoryReport", security(("bearer" = [])), params(InventoryParams),
    responses((status = 200, description = "The report as JSON, or as CSV when asked for", content((InventoryReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn inventory(
    state: State,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<InventoryParams>,
) -> ApiResult<HttpResponse> {
    let p = params.into_inner();
    let oem_side = match p.side.as_deref() {
        None | Some("") | Some("dealer") => false,
        Some("oem") => true,
        Some(_) => return Err(ApiError::invalid_field("side", "must be dealer or oem")),
    };
    if oem_side && !is_oem(&caller) {
        return Err(ApiError::forbidden("OEM stock figures are for the OEM"));
    }
    let window_days = match p.window_days.as_deref() {
        None | Some("") => 90,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|d| (7..=365).contains(d))
            .ok_or_else(|| {
                ApiError::invalid_field("windowDays", "must be a number from 7 to 365")
            })?,
    };
    let dealer_id = super::uuid_field("dealerId", &p.dealer_id)?;
    // Stock is a dealer's: staff see their dealer's, not only what they sold.
    let scope = Scope {
        dealer_id: scope_of(&caller, dealer_id, None)?.dealer_id,
        staff_id: None,
    };
    let report = inventory_figures(
        state.store.as_ref(),
        scope,
        oem_side,
        window_days,
        chrono::Utc::now(),
    )
    .await
    .map_err(ApiError::internal)?;
    if wants_csv(&req, &p.format)? {
        let opt = |x: Option<f64>| x.map_or_else(|| "".into(), Into::into);
        let rows = report
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.dealer_id
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                        .into(),
                    l.dealer.clone().unwrap_or_default().into(),
                    l.variant_id.to_string().into(),
                    l.variant.clone().into(),
                    l.allocated.into(),
                    l.in_transit.into(),
                    l.on_hand.into(),
                    l.reserved.into(),
                    l.aging.days0_30.into(),
                    l.aging.days31_60.into(),
                    l.aging.days61_90.into(),
                    l.aging.days90_plus.into(),
                    l.moved.into(),
                    l.weekly_rate.into(),
                    opt(l.days_of_supply),
                    opt(l.turnover),
                    opt(l.average_days_in_stock),
                ]
            })
            .collect();
        return Ok(csv(
            "inventory",
            &[
                "dealer_id",
                "dealer",
                "variant_id",
                "variant",
                "allocated",
                "in_transit",
                "on_hand",
                "reserved",
                "aged_0_30",
                "aged_31_60",
                "aged_61_90",
                "aged_90_plus",
                "moved",
                "weekly_rate",
                "days_of_supply",
                "turnover",
                "average_days_in_stock",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}
