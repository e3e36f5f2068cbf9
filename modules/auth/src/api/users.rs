//! `/users`: own profile, listing, creation and management within the role rules.

use super::{etag, expected_version, State};
use crate::{
    app::users::{self as use_case, NewAccount, UserChanges, UserDto},
    store::users::{self, UserFilter},
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    pub email: String,
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    /// Initial password (checked against the password policy).
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    /// Admins only.
    pub role: Option<String>,
    /// Admins only.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub dealer_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub branch_id: Option<Option<Uuid>>,
    /// The version read; required unless an `If-Match` header is sent.
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfileRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
}

/// Distinguishes an absent field (no change) from `null` (clear it).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
pub struct UserListQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(flatten)]
    filter: UserFilter,
}

fn with_etag(user: users::Model) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(etag(user.version))
        .json(UserDto::from(user))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/users/me", operation_id = "getCurrentUser", tag = "users", security(("bearer" = [])), responses((status = 200, body = UserDto)))]
pub async fn me(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    Ok(with_etag(use_case::me(&state, &caller).await?))
}

/// Updates the caller's own profile (name).
#[utoipa::path(patch, path = "/api/v1/users/me", operation_id = "updateCurrentUser", tag = "users", security(("bearer" = [])), request_body = UpdateProfileRequest,
    responses((status = 200, body = UserDto)))]
pub async fn update_me(
    state: State,
    caller: Caller,
    body: ValidJson<UpdateProfileRequest>,
) -> ApiResult<HttpResponse> {
    let user = use_case::update_me(&state, &caller, body.name.as_deref()).await?;
    Ok(with_etag(user))
}

/// Users the caller may see: admins and OEM staff all, dealer managers their dealer's.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "listUsers", tag = "users", security(("bearer" = [])), params(ListParams, UserFilter),
    responses((status = 200, body = Page<UserDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<UserListQuery>,
) -> ApiResult<HttpResponse> {
    let UserListQuery { list, filter } = query.into_inner();
    let page = use_case::list(&state, &caller, &filter, &list).await?;
    Ok(HttpResponse::Ok().json(page.map(UserDto::from)))
}

/// Creates a user within the caller's rights (a dealer manager: staff of their own dealer).
#[utoipa::path(post, path = "/api/v1/users", operation_id = "createUser", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserDto),
        (status = 403, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already registered", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let account = NewAccount {
        email: body.email,
        name: body.name,
        role: body.role,
        dealer_id: body.dealer_id,
        branch_id: body.branch_id,
        password: body.password,
    };
    let user = use_case::register(&state, &caller, account).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .insert_header(etag(user.version))
        .json(UserDto::from(user)))
}

/// One user the caller may see.
#[utoipa::path(get, path = "/api/v1/users/{id}", operation_id = "getUser", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(with_etag(use_case::get(&state, &caller, *id).await?))
}

/// Updates a user (optimistic: `If-Match` or `version`). Only admins change roles and dealers.
#[utoipa::path(patch, path = "/api/v1/users/{id}", operation_id = "updateUser", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserDto),
        (status = 409, description = "Stale version", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: State,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let expected = expected_version(&req, body.version)?;
    let changes = UserChanges {
        name: body.name,
        role: body.role,
        dealer_id: body.dealer_id,
        branch_id: body.branch_id,
    };
    let user = use_case::update(&state, &caller, *id, expected, changes).await?;
    Ok(with_etag(user))
}

/// Deactivates a user: they can no longer sign in or refresh; their sessions end now.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", operation_id = "deactivateUser", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto)))]
pub async fn deactivate(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(use_case::deactivate(&state, &caller, *id).await?))
}

/// Reactivates a user.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", operation_id = "reactivateUser", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto)))]
pub async fn reactivate(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(with_etag(use_case::reactivate(&state, &caller, *id).await?))
}
