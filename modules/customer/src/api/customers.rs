//! `/customers`: create with duplicate detection, search, read, change.

use super::{CustomerDto, State};
use crate::app::customers::{self as use_case, CustomerChanges, CustomerFilter, NewCustomer};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use uuid::Uuid;

/// Customers; `q` searches by the start of the name, email or phone number.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customer", operation_id = "listCustomers", security(("bearer" = [])), params(ListParams, CustomerFilter),
    responses((status = 200, body = Page<CustomerDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<CustomerFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(CustomerDto::from)))
}

/// Creates a customer. The same phone or email twice within a dealer → 409 with `existingId`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customer", operation_id = "createCustomer", security(("bearer" = [])), request_body = NewCustomer,
    responses((status = 201, body = CustomerDto),
        (status = 409, description = "Duplicate phone or email (existingId names the customer)", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<NewCustomer>,
) -> ApiResult<HttpResponse> {
    let customer = use_case::create(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(CustomerDto::from(customer)))
}

/// One customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customer", operation_id = "getCustomer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let customer = use_case::visible(state.db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(CustomerDto::from(customer)))
}

/// Changes contact details or consents (optimistic on `version`; duplicates re-checked).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customer", operation_id = "updateCustomer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CustomerChanges,
    responses((status = 200, body = CustomerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CustomerChanges>,
) -> ApiResult<HttpResponse> {
    let customer = use_case::update(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(CustomerDto::from(customer)))
}
