//! `/service-clients`: administration of machine identities (client-credentials grant).

use super::{etag, expected_version, State};
use crate::{
    app::service_clients::{self as use_case, ClientChanges, WithSecret},
    store::service_clients,
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceClientDto {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<service_clients::Model> for ServiceClientDto {
    fn from(c: service_clients::Model) -> Self {
        Self {
            scopes: c.scope_list(),
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            active: c.active,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// Returned once, when a client is created or its secret rotated.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceClientCredentials {
    pub client: ServiceClientDto,
    pub client_secret: String,
}

impl From<WithSecret> for ServiceClientCredentials {
    fn from(created: WithSecret) -> Self {
        Self {
            client: created.client.into(),
            client_secret: created.secret,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceClientRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceClientRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/service-clients", operation_id = "listServiceClients", tag = "service-clients", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ServiceClientDto>)))]
pub async fn list(
    state: State,
    _caller: Caller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(ServiceClientDto::from)))
}

/// Creates a client; its secret is shown in this response only.
#[utoipa::path(post, path = "/api/v1/service-clients", operation_id = "createServiceClient", tag = "service-clients", security(("bearer" = [])),
    request_body = CreateServiceClientRequest, responses((status = 201, body = ServiceClientCredentials)))]
pub async fn create(
    state: State,
    _caller: Caller,
    body: ValidJson<CreateServiceClientRequest>,
) -> ApiResult<HttpResponse> {
    let created = use_case::create(&state, &body.name, &body.scopes).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/service-clients/{}", created.client.id),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(ServiceClientCredentials::from(created)))
}

#[utoipa::path(get, path = "/api/v1/service-clients/{id}", operation_id = "getServiceClient", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ServiceClientDto)))]
pub async fn get(state: State, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let client = use_case::get(&state, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(client.version))
        .json(ServiceClientDto::from(client)))
}

#[utoipa::path(patch, path = "/api/v1/service-clients/{id}", operation_id = "updateServiceClient", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateServiceClientRequest, responses((status = 200, body = ServiceClientDto)))]
pub async fn update(
    state: State,
    _caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateServiceClientRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let expected = expected_version(&req, body.version)?;
    let changes = ClientChanges {
        name: body.name,
        scopes: body.scopes,
        active: body.active,
    };
    let updated = use_case::update(&state, *id, expected, changes).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(updated.version))
        .json(ServiceClientDto::from(updated)))
}

#[utoipa::path(delete, path = "/api/v1/service-clients/{id}", operation_id = "deleteServiceClient", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Deleted")))]
pub async fn delete(state: State, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    use_case::delete(&state, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issues a new secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/service-clients/{id}/rotate-secret", operation_id = "rotateServiceClientSecret", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ServiceClientCredentials)))]
pub async fn rotate_secret(
    state: State,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let rotated = use_case::rotate_secret(&state, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ServiceClientCredentials::from(rotated)))
}
