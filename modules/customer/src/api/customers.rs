//! `/customers`: create with duplicate detection, search, read, change.

use super::State;
use crate::app::customers::{self as use_case, CustomerChanges, CustomerFilter, NewCustomer};
use crate::domain::customers::{CustomerKind, CustomerStatus};
use crate::store::customers;
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
pub struct CustomerDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub kind: CustomerKind,
    pub full_name: String,
    pub company_name: Option<String>,
    pub tax_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub status: CustomerStatus,
    pub created_by: Uuid,
    /// The salesperson who looks after the customer.
    pub owner_id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

impl From<customers::Model> for CustomerDto {
    fn from(c: customers::Model) -> Self {
        Self {
            id: c.id,
            dealer_id: c.dealer_id,
            kind: c.kind,
            full_name: c.full_name,
            company_name: c.company_name,
            tax_number: c.tax_number,
            phone: c.phone,
            email: c.email,
            address: c.address,
            date_of_birth: c.date_of_birth,
            notes: c.notes,
            consent_email: c.consent_email,
            consent_sms: c.consent_sms,
            status: c.status,
            created_by: c.created_by,
            owner_id: c.owner_id,
            created_at: c.created_at,
            updated_at: c.updated_at,
            erased_at: c.erased_at,
            version: c.version,
        }
    }
}

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
