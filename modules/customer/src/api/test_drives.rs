//! `/test-drives`: booking, the drive's lifecycle and the customer's rating.

use super::State;
use crate::app::test_drives::{self as use_case, Booking, Rating, TestDriveFilter};
use crate::domain::test_drives::{TestDriveAction, TestDriveStatus};
use crate::store::test_drives;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller, Lifecycle,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub vin: Option<String>,
    pub staff_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: TestDriveStatus,
    /// What may be done next (the last path segment of the action).
    pub allowed_actions: Vec<String>,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub rating: Option<i16>,
    pub feedback_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<test_drives::Model> for TestDriveDto {
    fn from(d: test_drives::Model) -> Self {
        Self {
            allowed_actions: d.status.allowed_names(),
            id: d.id,
            dealer_id: d.dealer_id,
            branch_id: d.branch_id,
            customer_id: d.customer_id,
            variant_id: d.variant_id,
            vin: d.vin,
            staff_id: d.staff_id,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            status: d.status,
            notes: d.notes,
            cancel_reason: d.cancel_reason,
            rating: d.rating,
            feedback_comment: d.feedback_comment,
            created_at: d.created_at,
            version: d.version,
        }
    }
}

fn ok(drive: test_drives::Model) -> HttpResponse {
    HttpResponse::Ok().json(TestDriveDto::from(drive))
}

/// Test drives of the dealer (the schedule is shared by its staff). `q` finds text in the VIN,
/// the notes or the customer's name (case-insensitive; `%` and `_` are literal).
#[utoipa::path(get, path = "/api/v1/test-drives", tag = "customer", operation_id = "listTestDrives", security(("bearer" = [])), params(ListParams, TestDriveFilter),
    responses((status = 200, body = Page<TestDriveDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<TestDriveFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(TestDriveDto::from)))
}

/// Books a test drive. A vehicle or customer already booked in any of its half hours → 409.
#[utoipa::path(post, path = "/api/v1/test-drives", tag = "customer", operation_id = "bookTestDrive", security(("bearer" = [])), request_body = Booking,
    responses((status = 201, body = TestDriveDto),
        (status = 409, description = "The vehicle or the customer is already booked then", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<Booking>,
) -> ApiResult<HttpResponse> {
    let drive = use_case::book(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(TestDriveDto::from(drive)))
}

/// One test drive.
#[utoipa::path(get, path = "/api/v1/test-drives/{id}", tag = "customer", operation_id = "getTestDrive", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::get(&state, &caller, *id).await?))
}

/// The customer confirmed the booking.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/confirm", tag = "customer", operation_id = "confirmTestDrive", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        TestDriveAction::Confirm,
        None,
    )
    .await?))
}

/// The drive took place.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/complete", tag = "customer", operation_id = "completeTestDrive", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn complete(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        TestDriveAction::Complete,
        None,
    )
    .await?))
}

/// The customer did not come.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/no-show", tag = "customer", operation_id = "markTestDriveNoShow", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn no_show(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        TestDriveAction::NoShow,
        None,
    )
    .await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelDrive {
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

/// Cancels the booking and frees its time for others.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/cancel", tag = "customer", operation_id = "cancelTestDrive", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelDrive,
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CancelDrive>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason;
    Ok(ok(use_case::act(
        &state,
        &caller,
        *id,
        TestDriveAction::Cancel,
        reason,
    )
    .await?))
}

/// The customer's rating (1–5) of a completed drive; given once.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/feedback", tag = "customer", operation_id = "rateTestDrive", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = Rating,
    responses((status = 200, body = TestDriveDto), (status = 409, description = "Not completed, or already rated", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn feedback(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<Rating>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        use_case::rate(&state, &caller, *id, body.into_inner()).await?
    ))
}
