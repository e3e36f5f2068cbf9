//! What the module learns from other modules' events: the drivable catalog and dealer branches.

use crate::domain::{catalog::VariantAvailability, schedule::WeeklyHours};
use crate::store::{branch_hours, catalog_variants};
use contracts::events::manufacturer::VariantPublished;
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
