//! When test drives can happen: branch opening hours and the free half hours of a vehicle.

use super::State;
use crate::app::availability::{self as use_case, Slot};
use crate::domain::schedule::WeeklyHours;
use crate::store::branch_hours::Branch;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{ApiResult, Caller};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    pub branch_id: Uuid,
    pub variant_id: Uuid,
    pub vin: Option<String>,
    /// The branch's local date.
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotDto {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub available: bool,
}

impl From<Slot> for SlotDto {
    fn from(s: Slot) -> Self {
        Self {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            available: s.available,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotsDto {
    pub branch_id: Uuid,
    pub date: NaiveDate,
    /// Empty when the branch is closed that day.
    pub slots: Vec<SlotDto>,
}

/// The half hours of a day when the vehicle can be driven (future, open, not booked).
#[utoipa::path(get, path = "/api/v1/test-drives/slots", tag = "customer", operation_id = "listTestDriveSlots", security(("bearer" = [])), params(SlotQuery),
    responses((status = 200, body = SlotsDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn slots(
    state: State,
    caller: Caller,
    query: web::Query<SlotQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let slots = use_case::slots(
        &state,
        &caller,
        q.branch_id,
        q.variant_id,
        q.vin.as_deref(),
        q.date,
    )
    .await?;
    Ok(HttpResponse::Ok().json(SlotsDto {
        branch_id: q.branch_id,
        date: q.date,
        slots: slots.into_iter().map(SlotDto::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchHoursDto {
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
    pub hours: WeeklyHours,
}

impl From<Branch> for BranchHoursDto {
    fn from(b: Branch) -> Self {
        Self {
            branch_id: b.branch_id,
            dealer_id: b.dealer_id,
            hours: b.hours,
        }
    }
}

/// A branch's opening hours for test drives.
#[utoipa::path(get, path = "/api/v1/test-drives/branches/{branch_id}/hours", tag = "customer", operation_id = "getBranchHours", security(("bearer" = [])), params(("branch_id" = Uuid, Path)),
    responses((status = 200, body = BranchHoursDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_hours(
    state: State,
    caller: Caller,
    branch_id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let branch = use_case::hours(&state, &caller, *branch_id).await?;
    Ok(HttpResponse::Ok().json(BranchHoursDto::from(branch)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetBranchHours {
    pub hours: WeeklyHours,
}

/// Sets a branch's opening hours (its dealer's managers). Existing bookings stay.
#[utoipa::path(put, path = "/api/v1/test-drives/branches/{branch_id}/hours", tag = "customer", operation_id = "setBranchHours", security(("bearer" = [])), params(("branch_id" = Uuid, Path)), request_body = SetBranchHours,
    responses((status = 200, body = BranchHoursDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set_hours(
    state: State,
    caller: Caller,
    branch_id: web::Path<Uuid>,
    body: web::Json<SetBranchHours>,
) -> ApiResult<HttpResponse> {
    let branch = use_case::set_hours(&state, &caller, *branch_id, body.into_inner().hours).await?;
    Ok(HttpResponse::Ok().json(BranchHoursDto::from(branch)))
}
