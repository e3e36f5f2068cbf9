//! Manufacturers, vehicle models and their colours.

use super::{is_oem, State};
use crate::domain::lifecycle::ModelStatus;
use crate::store::{catalog, colours, manufacturers, variants, vehicle_models};
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, Order,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManufacturerDto {
    pub id: Uuid,
    pub name: String,
    pub country: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateManufacturer {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    #[validate(length(min = 2, max = 80))]
    pub country: String,
}

/// Every manufacturer (most deployments have one).
#[utoipa::path(get, path = "/api/v1/manufacturers", tag = "manufacturer", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ManufacturerDto>)))]
pub async fn list_manufacturers(
    db: State,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let mut select = manufacturers::Entity::find();
    if let Some(q) = query.query() {
        select = select.filter(manufacturers::Column::Name.contains(q));
    }
    let page = query
        .fetch(
            db.conn(),
            select,
            &[("name", manufacturers::Column::Name)],
            (manufacturers::Column::Name, Order::Asc),
            manufacturers::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(|m| ManufacturerDto {
        id: m.id,
        name: m.name,
        country: m.country,
    })))
}

/// Registers a manufacturer (admins).
#[utoipa::path(post, path = "/api/v1/manufacturers", tag = "manufacturer", security(("bearer" = [])), request_body = CreateManufacturer,
    responses((status = 201, body = ManufacturerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_manufacturer(
    db: State,
    body: ValidJson<CreateManufacturer>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let row = manufacturers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(body.name.trim().to_owned()),
        country: Set(body.country.trim().to_owned()),
        created_at: Set(chrono::Utc::now()),
    };
    let txn = db.begin().await?;
    let m = row.insert(&*txn).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(ManufacturerDto {
        id: m.id,
        name: m.name,
        country: m.country,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelDto {
    pub id: Uuid,
    pub manufacturer_id: Uuid,
    pub name: String,
    pub segment: String,
    pub model_year: i32,
    pub status: String,
    pub description: Option<String>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<vehicle_models::Model> for ModelDto {
    fn from(m: vehicle_models::Model) -> Self {
        Self {
            id: m.id,
            manufacturer_id: m.manufacturer_id,
            name: m.name,
            segment: m.segment,
            model_year: m.model_year,
            status: m.status,
            description: m.description,
            version: m.version,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ModelFilter {
    /// draft | published | discontinued (dealer roles see published models only).
    pub status: Option<String>,
    pub segment: Option<String>,
    pub manufacturer_id: Option<Uuid>,
}

/// Vehicle models; dealer roles see published ones only.
#[utoipa::path(get, path = "/api/v1/catalog/models", tag = "manufacturer", security(("bearer" = [])), params(ListParams, ModelFilter),
    responses((status = 200, body = Page<ModelDto>)))]
pub async fn list_models(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<ModelFilter>,
) -> ApiResult<HttpResponse> {
    let mut select = vehicle_models::Entity::find();
    if !is_oem(&caller) {
        select = select.filter(vehicle_models::Column::Status.eq(ModelStatus::Published.as_str()));
    }
    if let Some(status) = &filter.status {
        select = select.filter(vehicle_models::Column::Status.eq(status.as_str()));
    }
    if let Some(segment) = &filter.segment {
        select = select.filter(vehicle_models::Column::Segment.eq(segment.as_str()));
    }
    if let Some(id) = filter.manufacturer_id {
        select = select.filter(vehicle_models::Column::ManufacturerId.eq(id));
    }
    if let Some(q) = query.query() {
        select = select.filter(vehicle_models::Column::Name.contains(q));
    }
    let sortable = [
        ("name", vehicle_models::Column::Name),
        ("modelYear", vehicle_models::Column::ModelYear),
        ("createdAt", vehicle_models::Column::CreatedAt),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (vehicle_models::Column::Name, Order::Asc),
            vehicle_models::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(ModelDto::from)))
}

/// A model the caller may see (dealer roles: published only; otherwise 404).
pub async fn visible_model(
    db: &State,
    caller: &Caller,
    id: Uuid,
) -> Result<vehicle_models::Model, ApiError> {
    vehicle_models::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .filter(|m| is_oem(caller) || m.status == ModelStatus::Published.as_str())
        .ok_or_else(|| ApiError::not_found("no such model"))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateModel {
    pub manufacturer_id: Uuid,
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// e.g. sedan, suv, hatchback, pickup, van
    #[validate(length(min = 2, max = 40))]
    pub segment: String,
    #[validate(range(min = 2000, max = 2100))]
    pub model_year: i32,
    #[validate(length(max = 4000))]
    pub description: Option<String>,
}

/// Creates a draft model.
#[utoipa::path(post, path = "/api/v1/catalog/models", tag = "manufacturer", security(("bearer" = [])), request_body = CreateModel,
    responses((status = 201, body = ModelDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_model(db: State, body: ValidJson<CreateModel>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if manufacturers::Entity::find_by_id(body.manufacturer_id)
        .one(db.conn())
        .await?
        .is_none()
    {
        return Err(ApiError::invalid_field(
            "manufacturerId",
            "no such manufacturer",
        ));
    }
    let now = chrono::Utc::now();
    let row = vehicle_models::ActiveModel {
        id: Set(Uuid::now_v7()),
        manufacturer_id: Set(body.manufacturer_id),
        name: Set(body.name.trim().to_owned()),
        segment: Set(body.segment.trim().to_lowercase()),
        model_year: Set(body.model_year),
        status: Set(ModelStatus::Draft.as_str().to_owned()),
        description: Set(body.description),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let txn = db.begin().await?;
    let model = row.insert(&*txn).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(ModelDto::from(model)))
}

/// One model.
#[utoipa::path(get, path = "/api/v1/catalog/models/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_model(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ModelDto::from(visible_model(&db, &caller, *id).await?)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateModel {
    #[validate(length(min = 1, max = 120))]
    pub name: Option<String>,
    #[validate(length(min = 2, max = 40))]
    pub segment: Option<String>,
    #[validate(length(max = 4000))]
    pub description: Option<String>,
    /// The version read; a stale one is refused with 409.
    pub version: i32,
}

/// Renames or re-describes a model (optimistic on `version`).
#[utoipa::path(patch, path = "/api/v1/catalog/models/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateModel, responses((status = 200, body = ModelDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateModel>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let model = visible_model(&db, &caller, *id).await?;
    if model.version != body.version {
        return Err(ApiError::conflict(format!(
            "stale version {}; the model is at version {}",
            body.version, model.version
        )));
    }
    let mut txn = db.begin().await?;
    let mut update = model.into_active_model();
    if let Some(name) = body.name {
        update.name = Set(name.trim().to_owned());
    }
    if let Some(segment) = &body.segment {
        update.segment = Set(segment.trim().to_lowercase());
    }
    if let Some(description) = body.description {
        update.description = Set(Some(description));
    }
    update.version = Set(body.version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let model = update.update(&*txn).await?;
    variants::Entity::update_many()
        .col_expr(
            variants::Column::Segment,
            Expr::value(model.segment.clone()),
        )
        .filter(variants::Column::ModelId.eq(model.id))
        .exec(&*txn)
        .await?;
    catalog::publish_model_variants(&mut txn, model.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

async fn set_model_status(
    db: State,
    caller: Caller,
    id: Uuid,
    to: ModelStatus,
) -> ApiResult<HttpResponse> {
    let model = visible_model(&db, &caller, id).await?;
    let from = ModelStatus::parse(&model.status).unwrap_or(ModelStatus::Draft);
    from.transition(to)?;
    let mut txn = db.begin().await?;
    let moved = vehicle_models::Entity::update_many()
        .col_expr(vehicle_models::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            vehicle_models::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .col_expr(
            vehicle_models::Column::Version,
            Expr::col(vehicle_models::Column::Version).add(1),
        )
        .filter(vehicle_models::Column::Id.eq(id))
        .filter(vehicle_models::Column::Status.eq(from.as_str()))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::conflict(
            "the model changed while this request ran; reload it",
        ));
    }
    variants::Entity::update_many()
        .col_expr(variants::Column::ModelStatus, Expr::value(to.as_str()))
        .filter(variants::Column::ModelId.eq(id))
        .exec(&*txn)
        .await?;
    catalog::publish_model_variants(&mut txn, id).await?;
    txn.commit().await?;
    let model = visible_model(&db, &caller, id).await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

/// Publishes a model: its variants become visible to dealers (`variant_published` for each).
#[utoipa::path(post, path = "/api/v1/catalog/models/{id}/publish", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 409, description = "Illegal transition", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn publish_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    set_model_status(db, caller, *id, ModelStatus::Published).await
}

/// Discontinues a model: dealers no longer see it.
#[utoipa::path(post, path = "/api/v1/catalog/models/{id}/discontinue", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 409, description = "Illegal transition", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn discontinue_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    set_model_status(db, caller, *id, ModelStatus::Discontinued).await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ColourDto {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: String,
    pub hex: String,
    pub surcharge: Money,
    pub available: bool,
}

impl From<colours::Model> for ColourDto {
    fn from(c: colours::Model) -> Self {
        Self {
            id: c.id,
            model_id: c.model_id,
            name: c.name,
            hex: c.hex,
            surcharge: Money(c.surcharge),
            available: c.available,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ColourFilter {
    pub model_id: Option<Uuid>,
}

/// Colours, optionally of one model; dealer roles see published models' colours only.
#[utoipa::path(get, path = "/api/v1/catalog/colours", tag = "manufacturer", security(("bearer" = [])), params(ListParams, ColourFilter),
    responses((status = 200, body = Page<ColourDto>)))]
pub async fn list_colours(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<ColourFilter>,
) -> ApiResult<HttpResponse> {
    let mut select = colours::Entity::find();
    if let Some(model_id) = filter.model_id {
        select = select.filter(colours::Column::ModelId.eq(model_id));
    }
    if !is_oem(&caller) {
        let published: Vec<Uuid> = vehicle_models::Entity::find()
            .filter(vehicle_models::Column::Status.eq(ModelStatus::Published.as_str()))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        select = select.filter(Condition::all().add(colours::Column::ModelId.is_in(published)));
    }
    let page = query
        .fetch(
            db.conn(),
            select,
            &[
                ("name", colours::Column::Name),
                ("surcharge", colours::Column::Surcharge),
            ],
            (colours::Column::Name, Order::Asc),
            colours::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(ColourDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateColour {
    pub model_id: Uuid,
    #[validate(length(min = 1, max = 60))]
    pub name: String,
    /// `#RRGGBB`
    #[validate(custom(function = "hex_colour"))]
    pub hex: String,
    #[validate(range(min = 0))]
    pub surcharge: i64,
}

fn hex_colour(value: &str) -> Result<(), validator::ValidationError> {
    let ok = value.len() == 7
        && value.starts_with('#')
        && value.chars().skip(1).all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("hex").with_message("must be #RRGGBB".into()))
    }
}

/// Adds a colour to a model.
#[utoipa::path(post, path = "/api/v1/catalog/colours", tag = "manufacturer", security(("bearer" = [])), request_body = CreateColour,
    responses((status = 201, body = ColourDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_colour(
    db: State,
    caller: Caller,
    body: ValidJson<CreateColour>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let model = visible_model(&db, &caller, body.model_id)
        .await
        .map_err(|_| ApiError::invalid_field("modelId", "no such model"))?;
    let mut txn = db.begin().await?;
    let colour = colours::ActiveModel {
        id: Set(Uuid::now_v7()),
        model_id: Set(model.id),
        name: Set(body.name.trim().to_owned()),
        hex: Set(body.hex.to_uppercase()),
        surcharge: Set(body.surcharge),
        available: Set(true),
    }
    .insert(&*txn)
    .await?;
    catalog::publish_model_variants(&mut txn, model.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(ColourDto::from(colour)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateColour {
    #[validate(length(min = 1, max = 60))]
    pub name: Option<String>,
    #[validate(range(min = 0))]
    pub surcharge: Option<i64>,
    pub available: Option<bool>,
}

/// Changes a colour's name, surcharge or availability.
#[utoipa::path(patch, path = "/api/v1/catalog/colours/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateColour, responses((status = 200, body = ColourDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update_colour(
    db: State,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateColour>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let colour = colours::Entity::find_by_id(*id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such colour"))?;
    let model_id = colour.model_id;
    let mut update = colour.into_active_model();
    if let Some(name) = body.name {
        update.name = Set(name.trim().to_owned());
    }
    if let Some(surcharge) = body.surcharge {
        update.surcharge = Set(surcharge);
    }
    if let Some(available) = body.available {
        update.available = Set(available);
    }
    let mut txn = db.begin().await?;
    let colour = update.update(&*txn).await?;
    catalog::publish_model_variants(&mut txn, model_id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(ColourDto::from(colour)))
}
