//! What the module learns from other modules' events: the drivable catalog, dealer branches,
//! the dealers, their vehicles by VIN and their people.

use crate::domain::{
    catalog::VariantAvailability, references::VehicleStatus, schedule::WeeklyHours,
};
use crate::store::{branch_hours, catalog_variants, dealer_users, dealer_vehicles, known_dealers};
use contracts::events::{
    auth::{UserDeactivated, UserRegistered},
    dealer::{DealerProfileChanged, VehicleDelivered},
    manufacturer::{DealerOrderDelivered, VariantPublished, VehicleUnit},
};
use kernel::DomainResult;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Keeps the copy of a published variant (whether it can be test-driven).
pub async fn variant_published(
    db: &impl ConnectionTrait,
    variant: &VariantPublished,
) -> DomainResult<()> {
    catalog_variants::upsert(
        db,
        variant.variant_id,
        &variant.model_name,
        &variant.variant_name,
        VariantAvailability::of(&variant.model_status, &variant.status),
    )
    .await
}

/// A new branch, with default hours until its manager sets them.
pub async fn branch_opened(
    db: &impl ConnectionTrait,
    branch_id: Uuid,
    dealer_id: Uuid,
    hours: &WeeklyHours,
) -> DomainResult<()> {
    branch_hours::know(db, branch_id, dealer_id, hours).await
}

/// A dealer registered or changed.
pub async fn dealer_changed(
    db: &impl ConnectionTrait,
    dealer: &DealerProfileChanged,
) -> DomainResult<()> {
    known_dealers::changed(db, dealer.dealer_id, &dealer.status).await
}

/// The OEM allocated (or shipped) units to a dealer: they are that dealer's, on their way.
pub async fn units_allocated(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    units: &[VehicleUnit],
) -> DomainResult<()> {
    for unit in units {
        dealer_vehicles::allocated(db, &unit.vin, dealer_id, unit.variant_id).await?;
    }
    Ok(())
}

/// The dealer received a shipment: its units are at the dealer.
pub async fn units_received(
    db: &impl ConnectionTrait,
    delivery: &DealerOrderDelivered,
) -> DomainResult<()> {
    dealer_vehicles::set_status(
        db,
        delivery.dealer_id,
        &delivery.vins,
        VehicleStatus::OnSite,
    )
    .await
}

/// The dealer delivered a vehicle to its buyer: no longer the dealer's to lend.
pub async fn vehicle_handed_over(
    db: &impl ConnectionTrait,
    delivered: &VehicleDelivered,
) -> DomainResult<()> {
    dealer_vehicles::set_status(
        db,
        delivered.dealer_id,
        std::slice::from_ref(&delivered.vin),
        VehicleStatus::HandedOver,
    )
    .await
}

pub async fn user_registered(db: &impl ConnectionTrait, user: &UserRegistered) -> DomainResult<()> {
    dealer_users::registered(db, user.user_id, user.dealer_id, &user.role).await
}

pub async fn user_deactivated(
    db: &impl ConnectionTrait,
    user: &UserDeactivated,
) -> DomainResult<()> {
    dealer_users::deactivated(db, user.user_id, user.dealer_id).await
}
