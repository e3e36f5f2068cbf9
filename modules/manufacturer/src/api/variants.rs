//! Variants (trims) with EV specs and prices; search, compare and price history.

use super::{catalog::visible_model, is_oem, State};
use crate::domain::lifecycle::{ModelStatus, VARIANT_STATUSES};
use crate::store::{catalog, colours, price_history, variants};
use actix_web::{web, HttpResponse};
use contracts::{events::manufacturer::PriceChanged, Money};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, Role,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, Order, QueryFilter, QueryOrder,
    Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariantDto {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: String,
    pub status: String,
    pub model_status: String,
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
    pub colours: Option<Vec<super::catalog::ColourDto>>,
}

fn dto(v: variants::Model, caller: &Caller) -> VariantDto {
    let show_wholesale = caller.has_role(&[Role::Admin, Role::EvmStaff, Role::DealerManager]);
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
        wholesale_price: show_wholesale.then_some(Money(v.wholesale_price)),
        version: v.version,
        colours: None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VariantFilter {
    pub model_id: Option<Uuid>,
    pub segment: Option<String>,
    /// Variant status: in_production | coming_soon | discontinued.
    pub status: Option<String>,
    /// Model status (OEM staff; dealer roles always see published models only).
    pub model_status: Option<String>,
    pub drive: Option<String>,
    /// MSRP range, minor units.
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub min_price: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub max_price: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub min_range_km: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub max_range_km: Option<u64>,
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Searches variants: `q` (name), filters, and sort by `msrp`, `rangeKm`, `batteryKwh`,
/// `motorKw`, `name`, `createdAt`.
#[utoipa::path(get, path = "/api/v1/catalog/variants", tag = "manufacturer", security(("bearer" = [])), params(ListParams, VariantFilter),
    responses((status = 200, body = Page<VariantDto>), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<VariantFilter>,
) -> ApiResult<HttpResponse> {
    use variants::Column as C;
    let mut select = variants::Entity::find();
    if !is_oem(&caller) {
        select = select.filter(C::ModelStatus.eq(ModelStatus::Published.as_str()));
    } else if let Some(status) = &filter.model_status {
        select = select.filter(C::ModelStatus.eq(status.as_str()));
    }
    if let Some(id) = filter.model_id {
        select = select.filter(C::ModelId.eq(id));
    }
    if let Some(segment) = &filter.segment {
        select = select.filter(C::Segment.eq(segment.to_lowercase()));
    }
    if let Some(status) = &filter.status {
        select = select.filter(C::Status.eq(status.as_str()));
    }
    if let Some(drive) = &filter.drive {
        select = select.filter(C::Drive.eq(drive.to_uppercase()));
    }
    if let Some(n) = filter.min_price {
        select = select.filter(C::Msrp.gte(clamp(n)));
    }
    if let Some(n) = filter.max_price {
        select = select.filter(C::Msrp.lte(clamp(n)));
    }
    if let Some(n) = filter.min_range_km {
        select = select.filter(C::RangeKm.gte(clamp(n)));
    }
    if let Some(n) = filter.max_range_km {
        select = select.filter(C::RangeKm.lte(clamp(n)));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Name.contains(q));
    }
    let sortable = [
        ("msrp", C::Msrp),
        ("rangeKm", C::RangeKm),
        ("batteryKwh", C::BatteryKwh),
        ("motorKw", C::MotorKw),
        ("name", C::Name),
        ("createdAt", C::CreatedAt),
    ];
    let page = query
        .fetch(db.conn(), select, &sortable, (C::Msrp, Order::Asc), C::Id)
        .await?;
    Ok(HttpResponse::Ok().json(page.map(|v| dto(v, &caller))))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateVariant {
    pub model_id: Uuid,
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// in_production | coming_soon | discontinued (default in_production).
    pub status: Option<String>,
    #[validate(range(min = 1.0, max = 500.0))]
    pub battery_kwh: f64,
    #[validate(range(min = 1, max = 2000))]
    pub range_km: i32,
    #[validate(range(min = 1, max = 2000))]
    pub motor_kw: i32,
    #[validate(range(min = 1.0, max = 60.0))]
    pub zero_to_100_s: f64,
    #[validate(range(min = 1, max = 9))]
    pub seats: i32,
    /// FWD | RWD | AWD
    #[validate(custom(function = "drive"))]
    pub drive: String,
    #[validate(range(min = 1, max = 1000))]
    pub charging_kw: i32,
    /// Free-form specs (e.g. `{"wheelsInch": 19, "heatPump": true}`).
    #[schema(value_type = Object)]
    pub specs: Option<serde_json::Map<String, serde_json::Value>>,
    #[validate(range(min = 1))]
    pub msrp: i64,
    #[validate(range(min = 1))]
    pub wholesale_price: i64,
}

fn drive(value: &str) -> Result<(), validator::ValidationError> {
    if ["FWD", "RWD", "AWD"].contains(&value.to_uppercase().as_str()) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("drive").with_message("must be FWD, RWD or AWD".into()))
    }
}

fn variant_status(status: Option<&str>) -> Result<String, ApiError> {
    let status = status.unwrap_or("in_production");
    if VARIANT_STATUSES.contains(&status) {
        Ok(status.to_owned())
    } else {
        Err(ApiError::invalid_field(
            "status",
            format!("must be one of {}", VARIANT_STATUSES.join(", ")),
        ))
    }
}

fn check_prices(msrp: i64, wholesale: i64) -> Result<(), ApiError> {
    if wholesale > msrp {
        return Err(ApiError::invalid_field(
            "wholesalePrice",
            "cannot exceed the MSRP",
        ));
    }
    Ok(())
}

/// Adds a variant to a model (published right away if the model is).
#[utoipa::path(post, path = "/api/v1/catalog/variants", tag = "manufacturer", security(("bearer" = [])), request_body = CreateVariant,
    responses((status = 201, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    db: State,
    caller: Caller,
    body: ValidJson<CreateVariant>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let status = variant_status(body.status.as_deref())?;
    check_prices(body.msrp, body.wholesale_price)?;
    let model = visible_model(&db, &caller, body.model_id)
        .await
        .map_err(|_| ApiError::invalid_field("modelId", "no such model"))?;
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    let variant = variants::ActiveModel {
        id: Set(Uuid::now_v7()),
        model_id: Set(model.id),
        name: Set(body.name.trim().to_owned()),
        status: Set(status),
        model_status: Set(model.status.clone()),
        segment: Set(model.segment.clone()),
        battery_kwh: Set(body.battery_kwh),
        range_km: Set(body.range_km),
        motor_kw: Set(body.motor_kw),
        zero_to_100_s: Set(body.zero_to_100_s),
        seats: Set(body.seats),
        drive: Set(body.drive.to_uppercase()),
        charging_kw: Set(body.charging_kw),
        specs: Set(serde_json::Value::Object(body.specs.unwrap_or_default())),
        msrp: Set(body.msrp),
        wholesale_price: Set(body.wholesale_price),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    record_price(&txn, &variant, Some(caller.subject)).await?;
    catalog::publish_variant(&mut txn, variant.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(dto(variant, &caller)))
}

async fn record_price(
    txn: &kernel::WriteTxn,
    v: &variants::Model,
    by: Option<Uuid>,
) -> Result<(), ApiError> {
    price_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        variant_id: Set(v.id),
        msrp: Set(v.msrp),
        wholesale_price: Set(v.wholesale_price),
        changed_by: Set(by),
        effective_from: Set(chrono::Utc::now()),
    }
    .insert(&**txn)
    .await?;
    Ok(())
}

async fn visible_variant(
    db: &State,
    caller: &Caller,
    id: Uuid,
) -> Result<variants::Model, ApiError> {
    variants::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|v| is_oem(caller) || v.model_status == ModelStatus::Published.as_str())
        .ok_or_else(|| ApiError::not_found("no such variant"))
}

/// One variant with its colours.
#[utoipa::path(get, path = "/api/v1/catalog/variants/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = VariantDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let variant = visible_variant(&db, &caller, *id).await?;
    let colours = colours::Entity::find()
        .filter(colours::Column::ModelId.eq(variant.model_id))
        .order_by_asc(colours::Column::Name)
        .all(db.conn())
        .await?;
    let mut out = dto(variant, &caller);
    out.colours = Some(colours.into_iter().map(Into::into).collect());
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateVariant {
    #[validate(length(min = 1, max = 120))]
    pub name: Option<String>,
    pub status: Option<String>,
    #[validate(range(min = 1.0, max = 500.0))]
    pub battery_kwh: Option<f64>,
    #[validate(range(min = 1, max = 2000))]
    pub range_km: Option<i32>,
    #[validate(range(min = 1, max = 2000))]
    pub motor_kw: Option<i32>,
    #[validate(range(min = 1.0, max = 60.0))]
    pub zero_to_100_s: Option<f64>,
    #[validate(range(min = 1, max = 1000))]
    pub charging_kw: Option<i32>,
    #[schema(value_type = Object)]
    pub specs: Option<serde_json::Map<String, serde_json::Value>>,
    /// The version read; a stale one is refused with 409.
    pub version: i32,
}

/// Changes specs or status (prices have their own endpoint, with history).
#[utoipa::path(patch, path = "/api/v1/catalog/variants/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateVariant, responses((status = 200, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateVariant>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let variant = visible_variant(&db, &caller, *id).await?;
    if variant.version != body.version {
        return Err(ApiError::conflict(format!(
            "stale version {}; the variant is at version {}",
            body.version, variant.version
        )));
    }
    let mut update = variant.into_active_model();
    if let Some(status) = body.status.as_deref() {
        update.status = Set(variant_status(Some(status))?);
    }
    if let Some(name) = body.name {
        update.name = Set(name.trim().to_owned());
    }
    if let Some(v) = body.battery_kwh {
        update.battery_kwh = Set(v);
    }
    if let Some(v) = body.range_km {
        update.range_km = Set(v);
    }
    if let Some(v) = body.motor_kw {
        update.motor_kw = Set(v);
    }
    if let Some(v) = body.zero_to_100_s {
        update.zero_to_100_s = Set(v);
    }
    if let Some(v) = body.charging_kw {
        update.charging_kw = Set(v);
    }
    if let Some(specs) = body.specs {
        update.specs = Set(serde_json::Value::Object(specs));
    }
    update.version = Set(body.version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let mut txn = db.begin().await?;
    let variant = update.update(&*txn).await?;
    catalog::publish_variant(&mut txn, variant.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(dto(variant, &caller)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePrices {
    #[validate(range(min = 1))]
    pub msrp: i64,
    #[validate(range(min = 1))]
    pub wholesale_price: i64,
    pub version: i32,
}

/// Sets MSRP and wholesale price; keeps the history and raises `price_changed`.
#[utoipa::path(put, path = "/api/v1/catalog/variants/{id}/prices", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ChangePrices, responses((status = 200, body = VariantDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change_prices(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ChangePrices>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    check_prices(body.msrp, body.wholesale_price)?;
    let variant = visible_variant(&db, &caller, *id).await?;
    if variant.version != body.version {
        return Err(ApiError::conflict(format!(
            "stale version {}; the variant is at version {}",
            body.version, variant.version
        )));
    }
    let event = PriceChanged {
        variant_id: variant.id,
        msrp: Money(body.msrp),
        wholesale_price: Money(body.wholesale_price),
        previous_msrp: Money(variant.msrp),
        previous_wholesale_price: Money(variant.wholesale_price),
        effective_from: chrono::Utc::now(),
    };
    let on_sale = variant.model_status != ModelStatus::Draft.as_str();
    let mut update = variant.into_active_model();
    update.msrp = Set(body.msrp);
    update.wholesale_price = Set(body.wholesale_price);
    update.version = Set(body.version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let mut txn = db.begin().await?;
    let variant = update.update(&*txn).await?;
    record_price(&txn, &variant, Some(caller.subject)).await?;
    if on_sale {
        kernel::events::publish(&mut txn, &event).await?;
    }
    txn.commit().await?;
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
#[utoipa::path(get, path = "/api/v1/catalog/variants/{id}/price-history", tag = "manufacturer", security(("bearer" = [])),
    params(("id" = Uuid, Path), ListParams), responses((status = 200, body = Page<PricePoint>)))]
pub async fn price_history(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let variant = visible_variant(&db, &caller, *id).await?;
    let select =
        price_history::Entity::find().filter(price_history::Column::VariantId.eq(variant.id));
    let page = query
        .fetch(
            db.conn(),
            select,
            &[("effectiveFrom", price_history::Column::EffectiveFrom)],
            (price_history::Column::EffectiveFrom, Order::Desc),
            price_history::Column::Id,
        )
        .await?;
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
#[utoipa::path(get, path = "/api/v1/catalog/compare", tag = "manufacturer", security(("bearer" = [])), params(CompareQuery),
    responses((status = 200, body = Comparison), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn compare(
    db: State,
    caller: Caller,
    query: web::Query<CompareQuery>,
) -> ApiResult<HttpResponse> {
    let ids: Result<Vec<Uuid>, _> = query
        .variants
        .split(',')
        .map(|s| s.trim().parse::<Uuid>())
        .collect();
    let ids = ids
        .map_err(|_| ApiError::invalid_field("variants", "must be comma-separated variant ids"))?;
    if !(2..=4).contains(&ids.len()) {
        return Err(ApiError::invalid_field(
            "variants",
            "compare 2 to 4 variants",
        ));
    }
    let mut found = Vec::new();
    for id in &ids {
        let variant = visible_variant(&db, &caller, *id)
            .await
            .map_err(|_| ApiError::invalid_field("variants", format!("no such variant {id}")))?;
        found.push(dto(variant, &caller));
    }
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
