//! Test drives: booked in half-hour slots inside branch opening hours; no vehicle and no
//! customer is ever booked twice at once (one slot row per half hour, under a primary key).

use super::{
    availability::{customer_key, hours_of, vehicle_key},
    customers::active_of_dealer,
    State,
};
use crate::domain::{lifecycle, schedule};
use crate::store::{catalog_variants, test_drive_slots, test_drives};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use contracts::events::customer::{TestDriveCancelled, TestDriveCompleted, TestDriveScheduled};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
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
    /// scheduled | confirmed | completed | no_show | cancelled
    pub status: String,
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
            allowed_actions: lifecycle::test_drive_allowed(&d.status)
                .iter()
                .map(|a| (*a).to_owned())
                .collect(),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TestDriveFilter {
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub status: Option<String>,
    /// Drives starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Drives starting before this time.
    pub to: Option<DateTime<Utc>>,
}

/// Test drives of the dealer (the schedule is shared by its staff).
#[utoipa::path(get, path = "/api/v1/test-drives", tag = "customer", security(("bearer" = [])), params(ListParams, TestDriveFilter),
    responses((status = 200, body = Page<TestDriveDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<TestDriveFilter>,
) -> ApiResult<HttpResponse> {
    use test_drives::Column as C;
    let mut select = test_drives::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(C::StaffId.eq(caller.subject));
    }
    if let Some(branch) = filter.branch_id {
        select = select.filter(C::BranchId.eq(branch));
    }
    if let Some(customer) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer));
    }
    if let Some(status) = &filter.status {
        select = select.filter(C::Status.eq(status.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(C::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(C::StartsAt.lt(to));
    }
    let sortable = [("startsAt", C::StartsAt), ("createdAt", C::CreatedAt)];
    let page = query
        .fetch(
            state.db.conn(),
            select,
            &sortable,
            (C::StartsAt, Order::Asc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(TestDriveDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookTestDrive {
    pub dealer_id: Option<Uuid>,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    /// A specific demo vehicle; without one, the branch's demo car of the variant.
    pub vin: Option<String>,
    /// On a half hour, inside the branch's opening hours.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[validate(length(max = 1000))]
    pub notes: Option<String>,
}

/// Books a test drive. A vehicle or customer already booked in any of its half hours → 409.
#[utoipa::path(post, path = "/api/v1/test-drives", tag = "customer", security(("bearer" = [])), request_body = BookTestDrive,
    responses((status = 201, body = TestDriveDto),
        (status = 409, description = "The vehicle or the customer is already booked then", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<BookTestDrive>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let db = state.db.conn();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    let vin = match body.vin.as_deref() {
        Some(raw) => Some(
            contracts::Vin::parse(raw)
                .map_err(|e| ApiError::invalid_field("vin", e.to_string()))?
                .into_string(),
        ),
        None => None,
    };
    let (branch, hours) =
        hours_of(db, &caller, body.branch_id)
            .await
            .map_err(|e| match e.kind() {
                kernel::error::ErrorKind::NotFound => {
                    ApiError::invalid_field("branchId", "not a branch of this dealer")
                }
                _ => e,
            })?;
    if branch.dealer_id != dealer_id {
        return Err(ApiError::invalid_field(
            "branchId",
            "not a branch of this dealer",
        ));
    }
    schedule::check_booking(&hours, body.starts_at, body.ends_at, Utc::now())
        .map_err(|m| ApiError::invalid_field("startsAt", m))?;
    active_of_dealer(db, &caller, dealer_id, body.customer_id).await?;
    catalog_variants::Entity::find_by_id(body.variant_id)
        .one(db)
        .await?
        .filter(|v| v.status == "available")
        .ok_or_else(|| ApiError::invalid_field("variantId", "no such variant on sale"))?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let mut txn = state.db.begin().await?;
    let drive = test_drives::ActiveModel {
        id: Set(id),
        dealer_id: Set(dealer_id),
        branch_id: Set(body.branch_id),
        customer_id: Set(body.customer_id),
        variant_id: Set(body.variant_id),
        vin: Set(vin.clone()),
        staff_id: Set(caller.subject),
        starts_at: Set(body.starts_at),
        ends_at: Set(body.ends_at),
        status: Set("scheduled".into()),
        notes: Set(body.notes),
        cancel_reason: Set(None),
        rating: Set(None),
        feedback_comment: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    let keys = [
        vehicle_key(body.branch_id, body.variant_id, vin.as_deref()),
        customer_key(body.customer_id),
    ];
    let rows = keys.iter().flat_map(|key| {
        schedule::slots(body.starts_at, body.ends_at)
            .into_iter()
            .map(|slot_start| test_drive_slots::ActiveModel {
                resource_key: Set(key.clone()),
                slot_start: Set(slot_start),
                test_drive_id: Set(id),
            })
    });
    if let Err(error) = test_drive_slots::Entity::insert_many(rows)
        .exec(&*txn)
        .await
    {
        txn.rollback().await?;
        return Err(match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
                "the vehicle or the customer is already booked for part of this time",
            )
            .with_code("slot_taken"),
            _ => error.into(),
        });
    }
    let event = TestDriveScheduled {
        test_drive_id: id,
        dealer_id,
        branch_id: body.branch_id,
        customer_id: body.customer_id,
        variant_id: body.variant_id,
        vin,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        staff_id: Some(caller.subject),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(TestDriveDto::from(drive)))
}

async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<test_drives::Model, ApiError> {
    super::find_visible::<test_drives::Entity>(db, id, "test drive", |row| {
        caller.ensure_document_visible(row.dealer_id, row.staff_id)
    })
    .await
}

/// One test drive.
#[utoipa::path(get, path = "/api/v1/test-drives/{id}", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(TestDriveDto::from(
        visible(state.db.conn(), &caller, *id).await?,
    )))
}

/// Moves a drive if it is still in the status read; frees its slots when cancelled.
async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    action: &str,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let drive = visible(state.db.conn(), &caller, id).await?;
    let next = lifecycle::test_drive_next(&drive.status, action)?;
    let mut txn = state.db.begin().await?;
    let mut update = test_drives::Entity::update_many()
        .col_expr(test_drives::Column::Status, Expr::value(next))
        .col_expr(test_drives::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(
            test_drives::Column::Version,
            Expr::col(test_drives::Column::Version).add(1),
        );
    if action == "cancel" {
        update = update.col_expr(test_drives::Column::CancelReason, Expr::value(reason));
    }
    let moved = update
        .filter(test_drives::Column::Id.eq(id))
        .filter(test_drives::Column::Status.eq(drive.status.as_str()))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::conflict(
            "the test drive changed while this request ran; reload it",
        ));
    }
    match action {
        "cancel" => {
            test_drive_slots::Entity::delete_many()
                .filter(test_drive_slots::Column::TestDriveId.eq(id))
                .exec(&*txn)
                .await?;
            // Its reminder must not go out (notification).
            let event = TestDriveCancelled {
                test_drive_id: id,
                dealer_id: drive.dealer_id,
                customer_id: drive.customer_id,
                cancelled_at: Utc::now(),
            };
            kernel::events::publish(&mut txn, &event).await?;
        }
        "complete" => {
            let event = TestDriveCompleted {
                test_drive_id: id,
                dealer_id: drive.dealer_id,
                branch_id: drive.branch_id,
                customer_id: drive.customer_id,
                variant_id: drive.variant_id,
                completed_at: Utc::now(),
            };
            kernel::events::publish(&mut txn, &event).await?;
        }
        _ => {}
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(TestDriveDto::from(
        visible(state.db.conn(), &caller, id).await?,
    )))
}

/// The customer confirmed the booking.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/confirm", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "confirm", None).await
}

/// The drive took place.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/complete", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn complete(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "complete", None).await
}

/// The customer did not come.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/no-show", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn no_show(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "no-show", None).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelDrive {
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

/// Cancels the booking and frees its time for others.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/cancel", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelDrive,
    responses((status = 200, body = TestDriveDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CancelDrive>,
) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "cancel", body.into_inner().reason).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DriveFeedback {
    #[validate(range(min = 1, max = 5))]
    pub rating: i16,
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

/// The customer's rating (1–5) of a completed drive; given once.
#[utoipa::path(post, path = "/api/v1/test-drives/{id}/feedback", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = DriveFeedback,
    responses((status = 200, body = TestDriveDto), (status = 409, description = "Not completed, or already rated", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn feedback(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<DriveFeedback>,
) -> ApiResult<HttpResponse> {
    let drive = visible(state.db.conn(), &caller, *id).await?;
    lifecycle::test_drive_next(&drive.status, "feedback")?;
    let body = body.into_inner();
    let txn = state.db.begin().await?;
    let rated = test_drives::Entity::update_many()
        .col_expr(test_drives::Column::Rating, Expr::value(body.rating))
        .col_expr(
            test_drives::Column::FeedbackComment,
            Expr::value(body.comment),
        )
        .col_expr(test_drives::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(
            test_drives::Column::Version,
            Expr::col(test_drives::Column::Version).add(1),
        )
        .filter(test_drives::Column::Id.eq(drive.id))
        .filter(test_drives::Column::Status.eq("completed"))
        .filter(test_drives::Column::Rating.is_null())
        .exec(&*txn)
        .await?
        .rows_affected;
    if rated != 1 {
        return Err(
            ApiError::conflict("this test drive has already been rated").with_code("already_rated")
        );
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(TestDriveDto::from(
        visible(state.db.conn(), &caller, *id).await?,
    )))
}
