//! Test drives: booked in half-hour slots inside branch opening hours; no vehicle and no
//! customer is ever booked twice at once.

use super::{
    availability::{branch, parse_vin},
    customers::active_of_dealer,
    references, Services,
};
use crate::domain::{
    schedule,
    test_drives::{TestDriveAction, TestDriveStatus},
};
use crate::store::{catalog_variants, test_drive_slots, test_drives, Visibility};
use chrono::{DateTime, Utc};
use contracts::events::customer::{TestDriveCancelled, TestDriveCompleted, TestDriveScheduled};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, DomainError, DomainResult, ErrorCode, Lifecycle,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::test_drives::TestDriveFilter;

async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<test_drives::Model> {
    kernel::store::find_visible::<test_drives::Entity>(db, id, "test drive", |d| {
        caller.can_see_document(d.dealer_id, d.staff_id)
    })
    .await
}

/// The dealer's drives (the schedule is shared by its staff; staff see their own).
pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &TestDriveFilter,
    params: &ListParams,
) -> DomainResult<Page<test_drives::Model>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    test_drives::list(services.db.conn(), scope, filter, params).await
}

pub async fn get(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<test_drives::Model> {
    visible(services.db.conn(), caller, id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
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
pub async fn book(
    services: &Services,
    caller: &Caller,
    input: Booking,
) -> DomainResult<test_drives::Model> {
    let vin = parse_vin(input.vin.as_deref())?;
    let dealer_id = references::acting_dealer(caller, input.dealer_id)?;
    let now = Utc::now();
    let mut txn = services.db.begin().await?;
    let drive = test_drives::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        branch_id: Set(input.branch_id),
        customer_id: Set(input.customer_id),
        variant_id: Set(input.variant_id),
        vin: Set(vin.clone()),
        staff_id: Set(caller.subject),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        status: Set(TestDriveStatus::Scheduled),
        notes: Set(input.notes),
        cancel_reason: Set(None),
        rating: Set(None),
        feedback_comment: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await;
    let drive = references::inserted(drive)?;
    // What the booking names, checked after the write (see `references`); a refusal rolls it back.
    references::dealer(&*txn, caller, dealer_id).await?;
    let not_ours = || DomainError::invalid("branchId", "not a branch of this dealer");
    let branch = match branch(&*txn, caller, input.branch_id).await {
        Err(DomainError::NotFound(_)) => return Err(not_ours()),
        other => other?,
    };
    if branch.dealer_id != dealer_id {
        return Err(not_ours());
    }
    schedule::check_booking(&branch.hours, input.starts_at, input.ends_at, now)
        .map_err(|m| DomainError::invalid("startsAt", m))?;
    active_of_dealer(&*txn, caller, dealer_id, input.customer_id).await?;
    if !catalog_variants::is_available(&*txn, input.variant_id).await? {
        return Err(DomainError::invalid("variantId", "no such variant on sale"));
    }
    if let Some(vin) = vin.as_deref() {
        references::vehicle(&*txn, dealer_id, input.branch_id, input.variant_id, vin).await?;
    }
    let keys = [
        test_drive_slots::vehicle_key(input.branch_id, input.variant_id, vin.as_deref()),
        test_drive_slots::customer_key(input.customer_id),
    ];
    let slots = schedule::slots(input.starts_at, input.ends_at);
    if let Err(error) = test_drive_slots::hold(&*txn, drive.id, &keys, &slots).await {
        txn.rollback().await?;
        return Err(error);
    }
    let event = TestDriveScheduled {
        test_drive_id: drive.id,
        dealer_id,
        branch_id: input.branch_id,
        customer_id: input.customer_id,
        variant_id: input.variant_id,
        vin,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        staff_id: Some(caller.subject),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(drive)
}

/// Moves a drive if it is still in the status read; a cancelled drive frees its slots (and is
/// announced, so its reminder is dropped), a completed one is announced.
pub async fn act(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    action: TestDriveAction,
    reason: Option<String>,
) -> DomainResult<test_drives::Model> {
    let db = services.db.conn();
    let drive = visible(db, caller, id).await?;
    let next = drive.status.apply(action)?;
    let mut txn = services.db.begin().await?;
    let mut change = StatusChange::<test_drives::Entity>::new(id, drive.status, next);
    if action == TestDriveAction::Cancel {
        change = change.set(test_drives::Column::CancelReason, reason);
    }
    change.exec(&*txn).await?;
    match action {
        TestDriveAction::Cancel => {
            test_drive_slots::release(&*txn, id).await?;
            // Its reminder must not go out (notification); the reason stays here.
            let event = TestDriveCancelled {
                test_drive_id: id,
                dealer_id: drive.dealer_id,
                customer_id: drive.customer_id,
                cancelled_at: Utc::now(),
            };
            kernel::events::publish(&mut txn, &event).await?;
        }
        TestDriveAction::Complete => {
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
    visible(db, caller, id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    #[validate(range(min = 1, max = 5))]
    pub rating: i16,
    #[validate(length(max = 2000))]
    pub comment: Option<String>,
}

/// The customer's rating (1–5) of a completed drive; given once.
pub async fn rate(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    input: Rating,
) -> DomainResult<test_drives::Model> {
    let db = services.db.conn();
    let drive = visible(db, caller, id).await?;
    drive.status.apply(TestDriveAction::Feedback)?;
    let txn = services.db.begin().await?;
    if !test_drives::rate(&*txn, drive.id, input.rating, input.comment).await? {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyRated,
            "this test drive has already been rated",
        ));
    }
    txn.commit().await?;
    visible(db, caller, id).await
}
