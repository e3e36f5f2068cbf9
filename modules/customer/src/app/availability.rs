//! When test drives can happen: branch opening hours and the free half hours of a vehicle.

use super::Services;
use crate::domain::schedule::{self, WeeklyHours};
use crate::store::{
    branch_hours::{self, Branch},
    test_drive_slots,
};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{Caller, DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A branch the caller's dealer owns (known from `dealer.branch_opened.v1`) with its hours, or
/// 404: an unknown branch, or another dealer's, is not revealed.
pub async fn branch(
    db: &impl ConnectionTrait,
    caller: &Caller,
    branch_id: Uuid,
) -> DomainResult<Branch> {
    branch_hours::find(db, branch_id)
        .await?
        .filter(|b| caller.can_access_dealer(b.dealer_id))
        .ok_or(DomainError::NotFound("branch"))
}

/// A VIN as given, checked and normalised.
pub fn parse_vin(raw: Option<&str>) -> DomainResult<Option<String>> {
    raw.map(|raw| {
        contracts::Vin::parse(raw)
            .map(contracts::Vin::into_string)
            .map_err(|e| DomainError::invalid("vin", e.to_string()))
    })
    .transpose()
}

/// One half hour of a day.
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub available: bool,
}

/// The half hours of a (branch-local) day when the vehicle can be driven: open, in the future,
/// not booked. Empty when the branch is closed that day.
pub async fn slots(
    services: &Services,
    caller: &Caller,
    branch_id: Uuid,
    variant_id: Uuid,
    vin: Option<&str>,
    date: NaiveDate,
) -> DomainResult<Vec<Slot>> {
    let db = services.db.conn();
    let vin = parse_vin(vin)?;
    let branch = branch(db, caller, branch_id).await?;
    // Only the dealer's own vehicle: another dealer's schedule is never shown.
    if let Some(vin) = vin.as_deref() {
        super::references::vehicle(db, branch.dealer_id, branch_id, variant_id, vin).await?;
    }
    let Some((opens, closes)) = branch.hours.open_interval(date) else {
        return Ok(Vec::new());
    };
    let key = test_drive_slots::vehicle_key(branch_id, variant_id, vin.as_deref());
    let taken = test_drive_slots::taken(db, &key, opens, closes).await?;
    let now = Utc::now();
    let step = chrono::Duration::minutes(schedule::SLOT_MINUTES);
    Ok(schedule::slots(opens, closes)
        .into_iter()
        .map(|start| Slot {
            starts_at: start,
            ends_at: start + step,
            available: start > now && !taken.contains(&start),
        })
        .collect())
}

pub async fn hours(services: &Services, caller: &Caller, branch_id: Uuid) -> DomainResult<Branch> {
    branch(services.db.conn(), caller, branch_id).await
}

/// Sets a branch's opening hours (its dealer's managers). Existing bookings stay.
pub async fn set_hours(
    services: &Services,
    caller: &Caller,
    branch_id: Uuid,
    hours: WeeklyHours,
) -> DomainResult<Branch> {
    hours
        .validate()
        .map_err(|m| DomainError::invalid("hours", m))?;
    let mut branch = branch(services.db.conn(), caller, branch_id).await?;
    branch.hours = hours;
    let txn = services.db.begin().await?;
    branch_hours::set_hours(&*txn, &branch).await?;
    txn.commit().await?;
    Ok(branch)
}
