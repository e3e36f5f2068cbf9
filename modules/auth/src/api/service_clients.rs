//! Administration of service clients (machine identities using the client-credentials grant).

use super::{
    expected_version, stale, CreateServiceClientRequest, ServiceClientCredentials,
    ServiceClientDto, State, UpdateServiceClientRequest,
};
use crate::{store::service_clients, tokens::new_secret};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, Order, QueryFilter, Set,
};
use uuid::Uuid;

/// Scopes look like `resource:action` (lower case, digits, `_`, `-`, `.`).
fn parse_scopes(scopes: &[String]) -> ApiResult<String> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '_' | '-' | '.')
            })
    };
    if let Some(bad) = scopes.iter().find(|s| !valid(s)) {
        return Err(ApiError::invalid_field(
            "scopes",
            format!("`{bad}` is not a valid scope"),
        ));
    }
    let mut unique: Vec<&str> = scopes.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    Ok(unique.join(" "))
}

async fn find(state: &State, id: Uuid) -> ApiResult<service_clients::Model> {
    service_clients::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such service client"))
}

#[utoipa::path(get, path = "/api/v1/service-clients", tag = "service-clients", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ServiceClientDto>)))]
pub async fn list(
    state: State,
    _caller: Caller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let sortable = [
        ("name", service_clients::Column::Name),
        ("createdAt", service_clients::Column::CreatedAt),
    ];
    let page = query
        .fetch(
            state.db.conn(),
            service_clients::Entity::find(),
            &sortable,
            (service_clients::Column::CreatedAt, Order::Desc),
            service_clients::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(ServiceClientDto::from)))
}

/// Creates a client; its secret is shown in this response only.
#[utoipa::path(post, path = "/api/v1/service-clients", tag = "service-clients", security(("bearer" = [])),
    request_body = CreateServiceClientRequest, responses((status = 201, body = ServiceClientCredentials)))]
pub async fn create(
    state: State,
    _caller: Caller,
    body: ValidJson<CreateServiceClientRequest>,
) -> ApiResult<HttpResponse> {
    let scopes = parse_scopes(&body.scopes)?;
    let (secret, hash) = new_secret();
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    let client = service_clients::ActiveModel {
        id: Set(id),
        client_id: Set(format!("svc_{}", id.simple())),
        name: Set(body.name.trim().to_owned()),
        secret_hash: Set(hash),
        scopes: Set(scopes),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/service-clients/{}", client.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(ServiceClientCredentials {
            client: client.into(),
            client_secret: secret,
        }))
}

#[utoipa::path(get, path = "/api/v1/service-clients/{id}", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ServiceClientDto)))]
pub async fn get(state: State, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let client = find(&state, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(super::etag(client.version))
        .json(ServiceClientDto::from(client)))
}

#[utoipa::path(patch, path = "/api/v1/service-clients/{id}", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateServiceClientRequest, responses((status = 200, body = ServiceClientDto)))]
pub async fn update(
    state: State,
    _caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateServiceClientRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let (expected, from_header) = expected_version(&req, body.version)?;
    let client = find(&state, *id).await?;
    let scopes = match &body.scopes {
        Some(list) => parse_scopes(list)?,
        None => client.scopes.clone(),
    };
    let txn = state.db.begin().await?;
    let result = service_clients::Entity::update_many()
        .col_expr(
            service_clients::Column::Name,
            Expr::value(body.name.as_deref().map(str::trim).unwrap_or(&client.name)),
        )
        .col_expr(service_clients::Column::Scopes, Expr::value(scopes))
        .col_expr(
            service_clients::Column::Active,
            Expr::value(body.active.unwrap_or(client.active)),
        )
        .col_expr(
            service_clients::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .col_expr(service_clients::Column::Version, Expr::value(expected + 1))
        .filter(service_clients::Column::Id.eq(client.id))
        .filter(service_clients::Column::Version.eq(expected))
        .exec(&*txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(stale(from_header));
    }
    let updated = service_clients::Entity::find_by_id(client.id)
        .one(&*txn)
        .await?
        .ok_or_else(|| ApiError::not_found("gone"))?;
    txn.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header(super::etag(updated.version))
        .json(ServiceClientDto::from(updated)))
}

#[utoipa::path(delete, path = "/api/v1/service-clients/{id}", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Deleted")))]
pub async fn delete(state: State, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let txn = state.db.begin().await?;
    let result = service_clients::Entity::delete_by_id(*id)
        .exec(&*txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(ApiError::not_found("no such service client"));
    }
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issues a new secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/service-clients/{id}/rotate-secret", tag = "service-clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ServiceClientCredentials)))]
pub async fn rotate_secret(
    state: State,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let client = find(&state, *id).await?;
    let (secret, hash) = new_secret();
    let txn = state.db.begin().await?;
    let version = client.version;
    let mut active: service_clients::ActiveModel = client.into();
    active.secret_hash = Set(hash);
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    let client = active.update(&*txn).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ServiceClientCredentials {
            client: client.into(),
            client_secret: secret,
        }))
}
