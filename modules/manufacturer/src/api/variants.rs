//! Variants (trims) with EV specs and prices; search, compare and price history.

use super::State;
use crate::app::catalog::ColourDto;
use crate::app::variants::{
    self as use_case, sees_wholesale, ChangePrices, CreateVariant, UpdateVariant,
};
use crate::domain::catalog::{ModelStatus, VariantStatus};
use crate::store::catalog::{variants, VariantFilter};
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantDto {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: String,
    pub status: VariantStatus,
    pub model_status: ModelStatus,
    pub segment: String,
    pub battery_kwh: f64,
    pub range_km: i32,
    pub motor_kw: i32,
    pub zero_to_100_s: f64,
    pub seats: i32,
    pub drive: String,
    pub charging_kw: i32,
    #[schema(value_type = Object)]
    pub specs: serde_json::Value,
    pub msrp: Money,
    /// What dealers pay before discounts; shown to OEM staff and dealer managers.
    pub wholesale_price: Option<Money>,
    pub version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colours: Option<Vec<ColourDto>>,
}

fn dto(v: variants::Model, caller: &Caller) -> VariantDto {
    VariantDto {
        id: v.id,
        model_id: v.model_id,
        name: v.name,
        status: v.status,
        model_status: v.model_status,
        segment: v.segment,
        battery_kwh: v.battery_kwh,
        range_km: v.range_km,
        motor_kw: v.motor_kw,
        zero_to_100_s: v.zero_to_100_s,
        seats: v.seats,
        drive: v.drive,
        charging_kw: v.charging_kw,
        specs: v.specs,
        msrp: Money(v.msrp),
        wholesale_price: sees_wholesale(caller).then_some(Money(v.wholesale_price)),
        version: v.version,
        colours: None,
    }
}

/// Searches variants: `q` (name), filters, and sort by `msrp`, `rangeKm`, `batteryKwh`,
/// `motorKw`, `name`, `createdAt`.
#[utoipa::path(get, path = "/api/v1/catalog/variants", operation_id = "listCatalogVariants", tag = "manufacturer", security(("bearer" = [])), params(ListParams, VariantFilter),
    responses((status = 200, body = Page<VariantDto>), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<VariantFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(|v| dto(v, &caller))))
}

/// Adds a variant to a model (published right away if the model is).
#[utoipa::path(post, path = "/api/v1/catalog/variants", operation_id = "createCatalogVariant", tag = "manufacturer", security(("bearer" = [])), request_body = CreateVariant,
    responses((status = 201, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    db: State,
    caller: Caller,
    body: ValidJson<CreateVariant>,
) -> ApiResult<HttpResponse> {
    let variant = use_case::create(&db, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(dto(variant, &caller)))
}

/// One variant with its colours.
#[utoipa::path(get, path = "/api/v1/catalog/variants/{id}", operation_id = "getCatalogVariant", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = VariantDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (variant, colours) = use_case::get(&db, &caller, *id).await?;
    let mut out = dto(variant, &caller);
    out.colours = Some(colours.into_iter().map(ColourDto::from).collect());
    Ok(HttpResponse::Ok().json(out))
}

/// Changes specs or status (prices have their own endpoint, with history).
#[utoipa::path(patch, path = "/api/v1/catalog/variants/{id}", operation_id = "updateCatalogVariant", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateVariant, responses((status = 200, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateVariant>,
) -> ApiResult<HttpResponse> {
    let variant = use_case::update(&db, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(dto(variant, &caller)))
}

/// Sets MSRP and wholesale price; keeps the history and raises `price_changed`.
#[utoipa::path(put, path = "/api/v1/catalog/variants/{id}/prices", operation_id = "changeCatalogVariantPrices", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ChangePrices, responses((status = 200, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change_prices(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ChangePrices>,
) -> ApiResult<HttpResponse> {
    let variant = use_case::change_prices(&db, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(dto(variant, &caller)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PricePoint {
    pub msrp: Money,
    pub wholesale_price: Money,
    pub changed_by: Option<Uuid>,
    pub effective_from: chrono::DateTime<chrono::Utc>,
}

/// Every price a variant has had, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/variants/{id}/price-history", operation_id = "listCatalogVariantPriceHistory", tag = "manufacturer", security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams), responses((status = 200, body = Page<PricePoint>)))]
pub async fn price_history(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = use_case::price_history(&db, &caller, *id, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(|p| PricePoint {
        msrp: Money(p.msrp),
        wholesale_price: Money(p.wholesale_price),
        changed_by: p.changed_by,
        effective_from: p.effective_from,
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// 2–4 comma-separated variant ids.
    pub variants: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The variants, in the order asked.
    pub variants: Vec<VariantDto>,
    /// One row per spec: its name and each variant's value, side by side.
    pub rows: Vec<ComparisonRow>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComparisonRow {
    pub spec: String,
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<serde_json::Value>,
}

/// Specs of 2–4 variants side by side (`?variants=a,b,c`).
#[utoipa::path(get, path = "/api/v1/catalog/compare", operation_id = "compareCatalogVariants", tag = "manufacturer", security(("bearer" = [])), params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn compare(
    db: State,
    caller: Caller,
    query: web::Query<CompareQuery>,
) -> ApiResult<HttpResponse> {
    let found: Vec<VariantDto> = use_case::compare(&db, &caller, &query.variants)
        .await?
        .into_iter()
        .map(|v| dto(v, &caller))
        .collect();
    let as_json = |v: &VariantDto| serde_json::to_value(v).unwrap_or_default();
    let mut rows: Vec<ComparisonRow> = [
        "msrp",
        "batteryKwh",
        "rangeKm",
        "motorKw",
        "zeroTo100S",
        "seats",
        "drive",
        "chargingKw",
        "status",
        "segment",
    ]
    .iter()
    .map(|spec| ComparisonRow {
        spec: (*spec).to_owned(),
        values: found
            .iter()
            .map(|v| as_json(v).get(*spec).cloned().unwrap_or_default())
            .collect(),
    })
    .collect();
    let mut extra: Vec<String> = found
        .iter()
        .filter_map(|v| v.specs.as_object())
        .flat_map(|m| m.keys().cloned())
        .collect();
    extra.sort();
    extra.dedup();
    for key in extra {
        let values = found
            .iter()
            .map(|v| v.specs.get(&key).cloned().unwrap_or_default())
            .collect();
        rows.push(ComparisonRow { spec: key, values });
    }
    Ok(HttpResponse::Ok().json(Comparison {
        variants: found,
        rows,
    }))
}
