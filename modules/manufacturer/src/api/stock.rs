//! OEM stock by VIN: units, levels per variant × colour, thresholds, the ledger.

use super::State;
use crate::domain::lifecycle::stock as status;
use crate::store::{colours, oem_stock, stock, stock_ledger, stock_thresholds, variants};
use actix_web::{web, HttpResponse};
use contracts::Vin;
use kernel::{
    error::FieldError,
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, Order, QueryFilter, QueryOrder,
    QuerySelect, Set,
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
    pub status: String,
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
    pub from_status: Option<String>,
    pub to_status: String,
    pub order_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn unit_dto(u: oem_stock::Model) -> UnitDto {
    UnitDto {
        vin: u.vin,
        variant_id: u.variant_id,
        colour_id: u.colour_id,
        status: u.status,
        order_id: u.order_id,
        location: u.location,
        updated_at: u.updated_at,
        ledger: None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub status: Option<String>,
    pub variant_id: Option<Uuid>,
    pub colour_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
}

/// Units by VIN (`q` = VIN prefix).
#[utoipa::path(get, path = "/api/v1/oem-stock", tag = "manufacturer", security(("bearer" = [])), params(ListParams, UnitFilter),
    responses((status = 200, body = Page<UnitDto>)))]
pub async fn list(
    db: State,
    query: web::Query<ListParams>,
    filter: web::Query<UnitFilter>,
) -> ApiResult<HttpResponse> {
    use oem_stock::Column as C;
    let mut select = oem_stock::Entity::find();
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(id) = filter.variant_id {
        select = select.filter(C::VariantId.eq(id));
    }
    if let Some(id) = filter.colour_id {
        select = select.filter(C::ColourId.eq(id));
    }
    if let Some(id) = filter.order_id {
        select = select.filter(C::OrderId.eq(id));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Vin.starts_with(q.to_uppercase()));
    }
    let sortable = [
        ("vin", C::Vin),
        ("updatedAt", C::UpdatedAt),
        ("createdAt", C::CreatedAt),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Asc),
            C::Vin,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(unit_dto)))
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
#[utoipa::path(post, path = "/api/v1/oem-stock", tag = "manufacturer", security(("bearer" = [])), request_body = AddUnits,
    responses((status = 201, body = [UnitDto]), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn add_units(
    db: State,
    caller: Caller,
    body: ValidJson<AddUnits>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let mut vins = Vec::new();
    for (i, raw) in body.vins.iter().enumerate() {
        match Vin::parse(raw) {
            Ok(vin) if vins.contains(&vin) => {
                errors.push(FieldError::new(format!("vins[{i}]"), "listed twice"))
            }
            Ok(vin) => vins.push(vin),
            Err(e) => errors.push(FieldError::new(format!("vins[{i}]"), e.to_string())),
        }
    }
    let initial = body.status.as_deref().unwrap_or(status::IN_WAREHOUSE);
    if ![status::IN_PRODUCTION, status::IN_WAREHOUSE].contains(&initial) {
        errors.push(FieldError::new(
            "status",
            "must be in_production or in_warehouse",
        ));
    }
    let variant = variants::Entity::find_by_id(body.variant_id)
        .one(db.conn())
        .await?;
    let colour = colours::Entity::find_by_id(body.colour_id)
        .one(db.conn())
        .await?;
    match (&variant, &colour) {
        (None, _) => errors.push(FieldError::new("variantId", "no such variant")),
        (Some(v), Some(c)) if c.model_id == v.model_id => {}
        _ => errors.push(FieldError::new(
            "colourId",
            "not a colour of this variant's model",
        )),
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = chrono::Utc::now();
    let location = body
        .location
        .unwrap_or_else(|| "Main plant warehouse".to_owned());
    let mut txn = db.begin().await?;
    let mut created = Vec::new();
    for vin in vins {
        let unit = oem_stock::ActiveModel {
            vin: Set(vin.to_string()),
            variant_id: Set(body.variant_id),
            colour_id: Set(body.colour_id),
            status: Set(initial.to_owned()),
            order_id: Set(None),
            location: Set(location.clone()),
            unit_price: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await
        .map_err(|e| match ApiError::from(e) {
            dup if dup.kind() == kernel::error::ErrorKind::Conflict => {
                ApiError::conflict(format!("VIN {vin} is already in stock"))
                    .with_code(kernel::error::ErrorCode::DuplicateVin)
            }
            other => other,
        })?;
        let movement = if initial == status::IN_WAREHOUSE {
            "receive"
        } else {
            "produce"
        };
        stock::record_move(
            &txn,
            unit.vin.as_str(),
            movement,
            None,
            initial,
            None,
            Some(caller.subject),
        )
        .await?;
        created.push(unit_dto(unit));
    }
    stock::check_low_stock(&mut txn, body.variant_id, body.colour_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(created))
}

async fn find_unit(db: &State, vin: &str) -> Result<oem_stock::Model, ApiError> {
    oem_stock::Entity::find_by_id(vin.trim().to_uppercase())
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such VIN in OEM stock"))
}

/// One unit with its ledger.
#[utoipa::path(get, path = "/api/v1/oem-stock/{vin}", tag = "manufacturer", security(("bearer" = [])), params(("vin" = String, Path)),
    responses((status = 200, body = UnitDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, vin: web::Path<String>) -> ApiResult<HttpResponse> {
    let unit = find_unit(&db, &vin).await?;
    let ledger = stock_ledger::Entity::find()
        .filter(stock_ledger::Column::Vin.eq(unit.vin.as_str()))
        .order_by_asc(stock_ledger::Column::At)
        .order_by_asc(stock_ledger::Column::Id)
        .all(db.conn())
        .await?;
    let mut out = unit_dto(unit);
    out.ledger = Some(
        ledger
            .into_iter()
            .map(|l| LedgerEntry {
                movement: l.movement,
                from_status: l.from_status,
                to_status: l.to_status,
                order_id: l.order_id,
                actor_id: l.actor_id,
                at: l.at,
            })
            .collect(),
    );
    Ok(HttpResponse::Ok().json(out))
}

/// A unit leaves production and enters the warehouse.
#[utoipa::path(post, path = "/api/v1/oem-stock/{vin}/receive", tag = "manufacturer", security(("bearer" = [])), params(("vin" = String, Path)),
    responses((status = 200, body = UnitDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn receive(db: State, caller: Caller, vin: web::Path<String>) -> ApiResult<HttpResponse> {
    let unit = find_unit(&db, &vin).await?;
    let mut txn = db.begin().await?;
    let moved = oem_stock::Entity::update_many()
        .col_expr(oem_stock::Column::Status, Expr::value(status::IN_WAREHOUSE))
        .col_expr(
            oem_stock::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(oem_stock::Column::Vin.eq(unit.vin.as_str()))
        .filter(oem_stock::Column::Status.eq(status::IN_PRODUCTION))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::illegal_transition(
            &unit.status,
            "receive",
            vec![],
        ));
    }
    stock::record_move(
        &txn,
        &unit.vin,
        "receive",
        Some(status::IN_PRODUCTION),
        status::IN_WAREHOUSE,
        None,
        Some(caller.subject),
    )
    .await?;
    stock::check_low_stock(&mut txn, unit.variant_id, unit.colour_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(unit_dto(find_unit(&db, &vin).await?)))
}

#[derive(Debug, Serialize, ToSchema, FromQueryResult)]
#[serde(rename_all = "camelCase")]
pub struct LevelRow {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: String,
    pub units: i64,
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LevelFilter {
    pub variant_id: Option<Uuid>,
}

/// Units per variant × colour and status, with thresholds.
#[utoipa::path(get, path = "/api/v1/oem-stock/levels", tag = "manufacturer", security(("bearer" = [])), params(LevelFilter),
    responses((status = 200, body = [StockLevel])))]
pub async fn levels(db: State, filter: web::Query<LevelFilter>) -> ApiResult<HttpResponse> {
    use oem_stock::Column as C;
    let mut select = oem_stock::Entity::find()
        .select_only()
        .column(C::VariantId)
        .column(C::ColourId)
        .column(C::Status)
        .column_as(Expr::col(C::Vin).count(), "units")
        .group_by(C::VariantId)
        .group_by(C::ColourId)
        .group_by(C::Status);
    if let Some(id) = filter.variant_id {
        select = select.filter(C::VariantId.eq(id));
    }
    let rows = select.into_model::<LevelRow>().all(db.conn()).await?;
    let thresholds = stock_thresholds::Entity::find().all(db.conn()).await?;
    let mut levels: Vec<StockLevel> = Vec::new();
    for row in rows {
        let index = match levels
            .iter()
            .position(|l| l.variant_id == row.variant_id && l.colour_id == row.colour_id)
        {
            Some(i) => i,
            None => {
                let t = thresholds
                    .iter()
                    .find(|t| t.variant_id == row.variant_id && t.colour_id == row.colour_id);
                levels.push(StockLevel {
                    variant_id: row.variant_id,
                    colour_id: row.colour_id,
                    in_production: 0,
                    in_warehouse: 0,
                    allocated: 0,
                    in_transit: 0,
                    delivered: 0,
                    threshold: t.map(|t| t.threshold),
                    low: t.is_some_and(|t| t.low),
                });
                levels.len() - 1
            }
        };
        if let Some(level) = levels.get_mut(index) {
            match row.status.as_str() {
                status::IN_PRODUCTION => level.in_production = row.units,
                status::IN_WAREHOUSE => level.in_warehouse = row.units,
                status::ALLOCATED => level.allocated = row.units,
                status::IN_TRANSIT => level.in_transit = row.units,
                _ => level.delivered = row.units,
            }
        }
    }
    levels.sort_by_key(|l| (l.variant_id, l.colour_id));
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
#[utoipa::path(put, path = "/api/v1/oem-stock/thresholds", tag = "manufacturer", security(("bearer" = [])), request_body = ThresholdInput,
    responses((status = 204), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set_threshold(db: State, body: ValidJson<ThresholdInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if variants::Entity::find_by_id(body.variant_id)
        .one(db.conn())
        .await?
        .is_none()
    {
        return Err(ApiError::invalid_field("variantId", "no such variant"));
    }
    let mut txn = db.begin().await?;
    stock_thresholds::Entity::insert(stock_thresholds::ActiveModel {
        variant_id: Set(body.variant_id),
        colour_id: Set(body.colour_id),
        threshold: Set(body.threshold),
        low: Set(false),
    })
    .on_conflict(
        OnConflict::columns([
            stock_thresholds::Column::VariantId,
            stock_thresholds::Column::ColourId,
        ])
        .update_column(stock_thresholds::Column::Threshold)
        .to_owned(),
    )
    .exec(&*txn)
    .await?;
    stock::check_low_stock(&mut txn, body.variant_id, body.colour_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
