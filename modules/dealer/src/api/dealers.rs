//! `/dealers`: the OEM registers and changes dealers; dealer roles read their own.

use super::State;
use crate::app::dealers::{self as use_case, DealerChanges, DealerFilter, NewDealer};
use crate::domain::dealers::DealerStatus;
use crate::store::dealers;
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
pub struct DealerDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub region: String,
    pub city: String,
    pub tax_number: String,
    pub status: DealerStatus,
    pub tax_rate_bp: i32,
    /// IANA time zone (e.g. `Asia/Ho_Chi_Minh`); none = the system default.
    pub time_zone: Option<String>,
    pub version: i32,
}

impl From<dealers::Model> for DealerDto {
    fn from(d: dealers::Model) -> Self {
        Self {
            id: d.id,
            code: d.code,
            name: d.name,
            region: d.region,
            city: d.city,
            tax_number: d.tax_number,
            status: d.status,
            tax_rate_bp: d.tax_rate_bp,
            time_zone: d.time_zone,
            version: d.version,
        }
    }
}

/// Dealers; a dealer role sees only its own.
#[utoipa::path(get, path = "/api/v1/dealers", tag = "dealer", operation_id = "listDealers", security(("bearer" = [])), params(ListParams, DealerFilter),
    responses((status = 200, body = Page<DealerDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<DealerFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(DealerDto::from)))
}

/// Registers a dealer (OEM staff).
#[utoipa::path(post, path = "/api/v1/dealers", tag = "dealer", operation_id = "registerDealer", security(("bearer" = [])), request_body = NewDealer,
    responses((status = 201, body = DealerDto), (status = 409, description = "Code taken", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(state: State, body: ValidJson<NewDealer>) -> ApiResult<HttpResponse> {
    let dealer = use_case::register(&state, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(DealerDto::from(dealer)))
}

/// One dealer.
#[utoipa::path(get, path = "/api/v1/dealers/{id}", tag = "dealer", operation_id = "getDealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DealerDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let dealer = use_case::get(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(DealerDto::from(dealer)))
}

/// Changes a dealer, e.g. suspends it (optimistic on `version`).
#[utoipa::path(patch, path = "/api/v1/dealers/{id}", tag = "dealer", operation_id = "updateDealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = DealerChanges,
    responses((status = 200, body = DealerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<DealerChanges>,
) -> ApiResult<HttpResponse> {
    let dealer = use_case::update(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(DealerDto::from(dealer)))
}
