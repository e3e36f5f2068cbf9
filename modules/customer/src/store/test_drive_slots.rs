//! `customer.test_drive_slots`: one row per booked half hour of a vehicle or a customer, under a
//! primary key, so no vehicle and no customer is ever booked twice at once.

use chrono::{DateTime, Utc};
use kernel::{DomainError, DomainResult, ErrorCode};
use sea_orm::{entity::prelude::*, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "test_drive_slots")]
pub struct Model {
    /// `vehicle:<vin>`, `vehicle:<branch>:<variant>` (the branch's demo car) or `customer:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_start: DateTimeUtc,
    pub test_drive_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

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

/// Holds every `slot` of every resource in `keys` for the drive. A slot someone holds already →
/// 409 `slot_taken` (the caller's transaction must then be rolled back).
pub async fn hold(
    db: &impl ConnectionTrait,
    test_drive_id: Uuid,
    keys: &[String],
    slots: &[DateTime<Utc>],
) -> DomainResult<()> {
    let rows = keys.iter().flat_map(|key| {
        slots.iter().map(|slot_start| ActiveModel {
            resource_key: Set(key.clone()),
            slot_start: Set(*slot_start),
            test_drive_id: Set(test_drive_id),
        })
    });
    match Entity::insert_many(rows).exec(db).await {
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(DomainError::conflict(
                ErrorCode::SlotTaken,
                "the vehicle or the customer is already booked for part of this time",
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Frees the slots of a cancelled drive.
pub async fn release(db: &impl ConnectionTrait, test_drive_id: Uuid) -> DomainResult<()> {
    Entity::delete_many()
        .filter(Column::TestDriveId.eq(test_drive_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The booked half hours of `resource_key` in `[from, to)`.
pub async fn taken(
    db: &impl ConnectionTrait,
    resource_key: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DomainResult<Vec<DateTime<Utc>>> {
    Ok(Entity::find()
        .filter(Column::ResourceKey.eq(resource_key))
        .filter(Column::SlotStart.gte(from))
        .filter(Column::SlotStart.lt(to))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.slot_start)
        .collect())
}
