//! When test drives can happen: branch opening hours and the free half hours of a vehicle.

use super::State;
use crate::domain::schedule;
use crate::store::{branch_hours, test_drive_slots};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{ApiError, ApiResult, Caller};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The slot key of the vehicle: its VIN, or else the branch's demo car of that variant.
pub fn vehicle_key(branch_id: Uuid, variant_id: Uuid, vin: Option<&str>) -> String {
    match vin {
        Some(vin) => format!("vehicle:{vin}"),
        None => format!("vehicle:{branch_id}:{variant_id}"),
    }
}

pub fn customer_key(customer_id: Uuid) -> String {
    format!("customer:{customer_id}")
}

/// A branch the caller's dealer owns (known from `dealer.branch_opened.v1`) and its hours, or
/// 404: an unknown branch, or another dealer's, is not revealed.
pub async fn hours_of(
    db: &impl ConnectionTrait,
    caller: &Caller,
    branch_id: Uuid,
) -> Result<(branch_hours::Model, schedule::WeeklyHours), ApiError> {
    let row = branch_hours::Entity::find_by_id(branch_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such branch"))?;
    caller.ensure_dealer(row.dealer_id)?;
    let hours = serde_json::from_value(row.weekly.clone()).map_err(ApiError::internal)?;
    Ok((row, hours))
}

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

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotsDto {
    pub branch_id: Uuid,
    pub date: NaiveDate,
    /// Empty when the branch is closed that day.
    pub slots: Vec<SlotDto>,
}

/// The half hours of a day when the vehicle can be driven (future, open, not booked).
#[utoipa::path(get, path = "/api/v1/test-drives/slots", tag = "customer", security(("bearer" = [])), params(SlotQuery),
    responses((status = 200, body = SlotsDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn slots(
    state: State,
    caller: Caller,
    query: web::Query<SlotQuery>,
) -> ApiResult<HttpResponse> {
    let db = state.db.conn();
    let vin = match query.vin.as_deref() {
        Some(raw) => Some(
            contracts::Vin::parse(raw)
                .map_err(|e| ApiError::invalid_field("vin", e.to_string()))?
                .into_string(),
        ),
        None => None,
    };
    let (_, hours) = hours_of(db, &caller, query.branch_id).await?;
    let Some((opens, closes)) = hours.open_interval(query.date) else {
        return Ok(HttpResponse::Ok().json(SlotsDto {
            branch_id: query.branch_id,
            date: query.date,
            slots: Vec::new(),
        }));
    };
    let taken: Vec<DateTime<Utc>> = test_drive_slots::Entity::find()
        .filter(test_drive_slots::Column::ResourceKey.eq(vehicle_key(
            query.branch_id,
            query.variant_id,
            vin.as_deref(),
        )))
        .filter(test_drive_slots::Column::SlotStart.gte(opens))
        .filter(test_drive_slots::Column::SlotStart.lt(closes))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.slot_start)
        .collect();
    let now = Utc::now();
    let step = chrono::Duration::minutes(schedule::SLOT_MINUTES);
    let slots = schedule::slots(opens, closes)
        .into_iter()
        .map(|start| SlotDto {
            starts_at: start,
            ends_at: start + step,
            available: start > now && !taken.contains(&start),
        })
        .collect();
    Ok(HttpResponse::Ok().json(SlotsDto {
        branch_id: query.branch_id,
        date: query.date,
        slots,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchHoursDto {
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
    pub hours: schedule::WeeklyHours,
}

/// A branch's opening hours for test drives.
#[utoipa::path(get, path = "/api/v1/test-drives/branches/{branch_id}/hours", tag = "customer", security(("bearer" = [])), params(("branch_id" = Uuid, Path)),
    responses((status = 200, body = BranchHoursDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_hours(
    state: State,
    caller: Caller,
    branch_id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let (row, hours) = hours_of(state.db.conn(), &caller, *branch_id).await?;
    Ok(HttpResponse::Ok().json(BranchHoursDto {
        branch_id: *branch_id,
        dealer_id: row.dealer_id,
        hours,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetBranchHours {
    pub hours: schedule::WeeklyHours,
}

/// Sets a branch's opening hours (its dealer's managers). Existing bookings stay.
#[utoipa::path(put, path = "/api/v1/test-drives/branches/{branch_id}/hours", tag = "customer", security(("bearer" = [])), params(("branch_id" = Uuid, Path)), request_body = SetBranchHours,
    responses((status = 200, body = BranchHoursDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set_hours(
    state: State,
    caller: Caller,
    branch_id: web::Path<Uuid>,
    body: web::Json<SetBranchHours>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    body.hours
        .validate()
        .map_err(|m| ApiError::invalid_field("hours", m))?;
    let (row, _) = hours_of(state.db.conn(), &caller, *branch_id).await?;
    let weekly = serde_json::to_value(&body.hours).map_err(ApiError::internal)?;
    let model = branch_hours::ActiveModel {
        branch_id: Set(row.branch_id),
        dealer_id: Set(row.dealer_id),
        utc_offset_minutes: Set(body.hours.utc_offset_minutes),
        weekly: Set(weekly),
        updated_at: Set(Utc::now()),
    };
    let txn = state.db.begin().await?;
    model.update(&*txn).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(BranchHoursDto {
        branch_id: row.branch_id,
        dealer_id: row.dealer_id,
        hours: body.hours,
    }))
}
