//! `customer.dealer_vehicles`: which dealer each VIN belongs to (from the manufacturer's
//! allocation, shipping and receipt events, and `dealer.vehicle_delivered.v1`), so a test drive
//! books only a vehicle of the caller's dealer.

use crate::domain::references::{KnownVehicle, VehicleStatus};
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "dealer_vehicles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub vin: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub status: VehicleStatus,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn find(db: &impl ConnectionTrait, vin: &str) -> DomainResult<Option<KnownVehicle>> {
    Ok(Entity::find_by_id(vin.to_owned())
        .one(db)
        .await?
        .map(|v| KnownVehicle {
            dealer_id: v.dealer_id,
            branch_id: v.branch_id,
            variant_id: v.variant_id,
            status: v.status,
        }))
}

/// The OEM allocated (or shipped) the vehicle to `dealer_id`. A VIN known already moves to that
/// dealer and variant; where it is stays as recorded (a late redelivery does not undo a receipt).
pub async fn allocated(
    db: &impl ConnectionTrait,
    vin: &str,
    dealer_id: Uuid,
    variant_id: Uuid,
) -> DomainResult<()> {
    upsert(
        db,
        vin,
        dealer_id,
        None,
        variant_id,
        VehicleStatus::Allocated,
        &[Column::DealerId, Column::VariantId, Column::UpdatedAt],
    )
    .await
}

/// A vehicle as the seed places it (`status` and branch as given), unless known already.
pub async fn place(
    db: &impl ConnectionTrait,
    vin: &str,
    dealer_id: Uuid,
    branch_id: Option<Uuid>,
    variant_id: Uuid,
    status: VehicleStatus,
) -> DomainResult<()> {
    upsert(db, vin, dealer_id, branch_id, variant_id, status, &[]).await
}

async fn upsert(
    db: &impl ConnectionTrait,
    vin: &str,
    dealer_id: Uuid,
    branch_id: Option<Uuid>,
    variant_id: Uuid,
    status: VehicleStatus,
    on_conflict: &[Column],
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        vin: Set(vin.to_owned()),
        dealer_id: Set(dealer_id),
        branch_id: Set(branch_id),
        variant_id: Set(variant_id),
        status: Set(status),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(if on_conflict.is_empty() {
        OnConflict::column(Column::Vin).do_nothing().to_owned()
    } else {
        OnConflict::column(Column::Vin)
            .update_columns(on_conflict.iter().copied())
            .to_owned()
    })
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// Moves the dealer's known vehicles among `vins` to `status` (unknown ones are skipped: the
/// allocation that names their variant comes first in the same order's events).
pub async fn set_status(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    vins: &[String],
    status: VehicleStatus,
) -> DomainResult<()> {
    if vins.is_empty() {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Vin.is_in(vins.iter().cloned()))
        .exec(db)
        .await?;
    Ok(())
}
