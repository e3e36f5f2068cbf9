//! The ids a write refers to, checked against the dealer it writes for in the write's own
//! transaction: another dealer's id, or one that does not exist, is a 422 naming the field and
//! nothing is written.

use crate::store::{branches, catalog_variants, inventory_units};
use contracts::Vin;
use kernel::{DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// The branch a document is filed under: the one `requested` (it must be the dealer's, else
/// 422 `branchId`), or else the caller's own branch when it is one of the dealer's.
pub async fn branch(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    requested: Option<Uuid>,
    callers_own: Option<Uuid>,
) -> DomainResult<Option<Uuid>> {
    if let Some(id) = requested {
        if !branches::is_branch_of(db, id, dealer_id).await? {
            return Err(DomainError::invalid(
                "branchId",
                "not a branch of this dealer",
            ));
        }
        return Ok(Some(id));
    }
    match callers_own {
        Some(id) if branches::is_branch_of(db, id, dealer_id).await? => Ok(Some(id)),
        _ => Ok(None),
    }
}

/// A VIN named for a sale must be a unit the dealer holds (whether it can be sold is the
/// reservation's answer: 409 when it is not in stock).
pub async fn vin(db: &impl ConnectionTrait, dealer_id: Uuid, vin: &Vin) -> DomainResult<()> {
    if inventory_units::is_held_by(db, vin.as_str(), dealer_id).await? {
        Ok(())
    } else {
        Err(DomainError::invalid("vin", "not a unit of this dealer"))
    }
}

/// Every variant a promotion targets must be in the catalog.
pub async fn variants(db: &impl ConnectionTrait, ids: &[Uuid]) -> DomainResult<()> {
    let unknown = catalog_variants::unknown(db, ids).await?;
    match unknown.first() {
        None => Ok(()),
        Some(id) => Err(DomainError::invalid(
            "variantIds",
            format!("{id} is no variant of the catalog"),
        )),
    }
}
