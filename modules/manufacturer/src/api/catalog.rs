//! Manufacturers, vehicle models and their colours.

use super::State;
use crate::app::catalog::{
    self as use_case, ColourDto, CreateColour, CreateManufacturer, CreateModel, UpdateColour,
    UpdateModel,
};
use crate::domain::catalog::{ModelAction, ModelStatus};
use crate::store::catalog::{manufacturers, vehicle_models, ColourFilter, ModelFilter};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManufacturerDto {
    pub id: Uuid,
    pub name: String,
    pub country: String,
}

impl From<manufacturers::Model> for ManufacturerDto {
    fn from(m: manufacturers::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            country: m.country,
        }
    }
}

/// Every manufacturer (most deployments have one).
#[utoipa::path(get, path = "/api/v1/manufacturers", operation_id = "listManufacturers", tag = "manufacturer", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ManufacturerDto>)))]
pub async fn list_manufacturers(
    db: State,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list_manufacturers(&db, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(ManufacturerDto::from)))
}

/// One manufacturer.
#[utoipa::path(get, path = "/api/v1/manufacturers/{id}", operation_id = "getManufacturer", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ManufacturerDto),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_manufacturer(db: State, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let manufacturer = use_case::get_manufacturer(&db, *id).await?;
    Ok(HttpResponse::Ok().json(ManufacturerDto::from(manufacturer)))
}

/// Registers a manufacturer (admins).
#[utoipa::path(post, path = "/api/v1/manufacturers", operation_id = "createManufacturer", tag = "manufacturer", security(("bearer" = [])), request_body = CreateManufacturer,
    responses((status = 201, body = ManufacturerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_manufacturer(
    db: State,
    body: ValidJson<CreateManufacturer>,
) -> ApiResult<HttpResponse> {
    let manufacturer = use_case::create_manufacturer(&db, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ManufacturerDto::from(manufacturer)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelDto {
    pub id: Uuid,
    pub manufacturer_id: Uuid,
    pub name: String,
    pub segment: String,
    pub model_year: i32,
    pub status: ModelStatus,
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

/// Vehicle models; dealer roles see published ones only.
#[utoipa::path(get, path = "/api/v1/catalog/models", operation_id = "listCatalogModels", tag = "manufacturer", security(("bearer" = [])), params(ListParams, ModelFilter),
    responses((status = 200, body = Page<ModelDto>)))]
pub async fn list_models(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<ModelFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list_models(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(ModelDto::from)))
}

/// Creates a draft model.
#[utoipa::path(post, path = "/api/v1/catalog/models", operation_id = "createCatalogModel", tag = "manufacturer", security(("bearer" = [])), request_body = CreateModel,
    responses((status = 201, body = ModelDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_model(db: State, body: ValidJson<CreateModel>) -> ApiResult<HttpResponse> {
    let model = use_case::create_model(&db, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ModelDto::from(model)))
}

/// One model.
#[utoipa::path(get, path = "/api/v1/catalog/models/{id}", operation_id = "getCatalogModel", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_model(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let model = use_case::get_model(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

/// Renames or re-describes a model (optimistic on `version`).
#[utoipa::path(patch, path = "/api/v1/catalog/models/{id}", operation_id = "updateCatalogModel", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateModel, responses((status = 200, body = ModelDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateModel>,
) -> ApiResult<HttpResponse> {
    let model = use_case::update_model(&db, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

/// Publishes a model: its variants become visible to dealers (`variant_published` for each).
#[utoipa::path(post, path = "/api/v1/catalog/models/{id}/publish", operation_id = "publishCatalogModel", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 409, description = "Illegal transition", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn publish_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let model = use_case::change_status(&db, &caller, *id, ModelAction::Publish).await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

/// Discontinues a model: dealers no longer see it.
#[utoipa::path(post, path = "/api/v1/catalog/models/{id}/discontinue", operation_id = "discontinueCatalogModel", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ModelDto), (status = 409, description = "Illegal transition", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn discontinue_model(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let model = use_case::change_status(&db, &caller, *id, ModelAction::Discontinue).await?;
    Ok(HttpResponse::Ok().json(ModelDto::from(model)))
}

/// Colours, optionally of one model; dealer roles see published models' colours only.
#[utoipa::path(get, path = "/api/v1/catalog/colours", operation_id = "listCatalogColours", tag = "manufacturer", security(("bearer" = [])), params(ListParams, ColourFilter),
    responses((status = 200, body = Page<ColourDto>)))]
pub async fn list_colours(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<ColourFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list_colours(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(ColourDto::from)))
}

/// Adds a colour to a model.
#[utoipa::path(post, path = "/api/v1/catalog/colours", operation_id = "createCatalogColour", tag = "manufacturer", security(("bearer" = [])), request_body = CreateColour,
    responses((status = 201, body = ColourDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_colour(
    db: State,
    caller: Caller,
    body: ValidJson<CreateColour>,
) -> ApiResult<HttpResponse> {
    let colour = use_case::create_colour(&db, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(ColourDto::from(colour)))
}

/// Changes a colour's name, surcharge or availability.
#[utoipa::path(patch, path = "/api/v1/catalog/colours/{id}", operation_id = "updateCatalogColour", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateColour, responses((status = 200, body = ColourDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update_colour(
    db: State,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateColour>,
) -> ApiResult<HttpResponse> {
    let colour = use_case::update_colour(&db, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ColourDto::from(colour)))
}
