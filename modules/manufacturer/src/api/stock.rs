//! OEM stock by VIN: units, levels per variant × colour, thresholds, the ledger.

use super::State;
use crate::app::stock::{self as use_case, NewUnits, StockLevel as Level, UnitFilter, UnitView};
use crate::domain::lifecycle::StockUnitStatus;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitDto {
    pub vin: String,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: StockUnitStatus,
    pub order_id: Option<Uuid>,
    pub location: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Vec<LedgerEntry>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub movement: String,
    pub from_status: Option<StockUnitStatus>,
    pub to_status: StockUnitStatus,
    pub order_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<UnitView> for UnitDto {
    fn from(view: UnitView) -> Self {
        let u = view.unit;
        UnitDto {
            vin: u.vin,
            variant_id: u.variant_id,
            colour_id: u.colour_id,
            status: u.status,
            order_id: u.order_id,
            location: u.location,
            updated_at: u.updated_at,
            ledger: view.ledger.map(|moves| {
                moves
                    .into_iter()
                    .map(|l| LedgerEntry {
                        movement: l.movement,
                        from_status: l.from_status,
                        to_status: l.to_status,
                        order_id: l.order_id,
                        actor_id: l.actor_id,
                        at: l.at,
                    })
                    .collect()
            }),
        }
    }
}

/// Units by VIN (`q` = VIN prefix).
#[utoipa::path(get, path = "/api/v1/oem-stock", operation_id = "listOemStock", tag = "manufacturer", security(("bearer" = [])), params(ListParams, UnitFilter),
    responses((status = 200, body = Page<UnitDto>)))]
pub async fn list(
    db: State,
    query: web::Query<ListParams>,
    filter: web::Query<UnitFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&db, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(UnitDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddUnits {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// 17-character VINs (ISO 3779, check digit verified).
    #[validate(length(min = 1, max = 500))]
    pub vins: Vec<String>,
    /// in_production | in_warehouse (default in_warehouse)
    pub status: Option<String>,
    #[validate(length(min = 1, max = 80))]
    pub location: Option<String>,
}

/// Registers produced units. Every VIN is checked (422 naming each bad one); a VIN already
/// known is a 409 and nothing is added.
#[utoipa::path(post, path = "/api/v1/oem-stock", operation_id = "addOemStockUnits", tag = "manufacturer", security(("bearer" = [])), request_body = AddUnits,
    responses((status = 201, body = [UnitDto]), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn add_units(
    db: State,
    caller: Caller,
    body: ValidJson<AddUnits>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewUnits {
        variant_id: body.variant_id,
        colour_id: body.colour_id,
        vins: body.vins,
        status: body.status,
        location: body.location,
    };
    let created: Vec<UnitDto> = use_case::add_units(&db, &caller, new)
        .await?
        .into_iter()
        .map(|u| UnitView::from(u).into())
        .collect();
    Ok(HttpResponse::Created().json(created))
}

/// One unit with its ledger.
#[utoipa::path(get, path = "/api/v1/oem-stock/{vin}", operation_id = "getOemStockUnit", tag = "manufacturer", security(("bearer" = [])), params(("vin" = String, Path)),
    responses((status = 200, body = UnitDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, vin: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(UnitDto::from(use_case::get(&db, &vin).await?)))
}

/// A unit leaves production and enters the warehouse.
#[utoipa::path(post, path = "/api/v1/oem-stock/{vin}/receive", operation_id = "receiveOemStockUnit", tag = "manufacturer", security(("bearer" = [])), params(("vin" = String, Path)),
    responses((status = 200, body = UnitDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn receive(db: State, caller: Caller, vin: web::Path<String>) -> ApiResult<HttpResponse> {
    let unit = use_case::receive(&db, &caller, &vin).await?;
    Ok(HttpResponse::Ok().json(UnitDto::from(UnitView::from(unit))))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockLevel {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub in_production: i64,
    pub in_warehouse: i64,
    pub allocated: i64,
    pub in_transit: i64,
    pub delivered: i64,
    pub threshold: Option<i32>,
    pub low: bool,
}

impl From<Level> for StockLevel {
    fn from(l: Level) -> Self {
        Self {
            variant_id: l.variant_id,
            colour_id: l.colour_id,
            in_production: l.in_production,
            in_warehouse: l.in_warehouse,
            allocated: l.allocated,
            in_transit: l.in_transit,
            delivered: l.delivered,
            threshold: l.threshold,
            low: l.low,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LevelFilter {
    pub variant_id: Option<Uuid>,
}

/// Units per variant × colour and status, with thresholds.
#[utoipa::path(get, path = "/api/v1/oem-stock/levels", operation_id = "listOemStockLevels", tag = "manufacturer", security(("bearer" = [])), params(LevelFilter),
    responses((status = 200, body = [StockLevel])))]
pub async fn levels(db: State, filter: web::Query<LevelFilter>) -> ApiResult<HttpResponse> {
    let levels: Vec<StockLevel> = use_case::levels(&db, filter.variant_id)
        .await?
        .into_iter()
        .map(StockLevel::from)
        .collect();
    Ok(HttpResponse::Ok().json(levels))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdInput {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// `stock_low` is raised when warehouse units fall to this number or below.
    #[validate(range(min = 0, max = 100000))]
    pub threshold: i32,
}

/// Sets the low-stock threshold of a variant × colour.
#[utoipa::path(put, path = "/api/v1/oem-stock/thresholds", operation_id = "setOemStockThreshold", tag = "manufacturer", security(("bearer" = [])), request_body = ThresholdInput,
    responses((status = 204), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set_threshold(db: State, body: ValidJson<ThresholdInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    use_case::set_threshold(&db, body.variant_id, body.colour_id, body.threshold).await?;
    Ok(HttpResponse::NoContent().finish())
}
