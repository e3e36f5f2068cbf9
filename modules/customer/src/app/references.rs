//! Checks of the ids a write names against the caller's dealer, run inside the write's
//! transaction: another dealer's id, or one nobody knows, is a 422 naming the field (never a
//! 404 that would confirm it exists elsewhere), and nothing is written.
//!
//! A use case makes its first write, then checks, then publishes and commits; a refusal drops
//! the transaction, which rolls the write back. Writing first matters on SQLite: a transaction
//! that reads first holds a snapshot, and cannot turn into a writer once another process has
//! written since (`SQLITE_BUSY`, not retried); one that writes first waits for the lock instead.

use crate::domain::references::{person_refusal, vehicle_refusal};
use crate::store::{catalog_variants, dealer_users, dealer_vehicles, known_dealers};
use kernel::{Caller, DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

fn not_a_dealer() -> DomainError {
    DomainError::invalid("dealerId", "not a dealer you act for")
}

/// The dealer a write is for: dealer roles their own (naming another → 422 `dealerId`),
/// administrators the one they name (checked by [`dealer`]).
pub fn acting_dealer(caller: &Caller, requested: Option<Uuid>) -> DomainResult<Uuid> {
    match caller.acting_dealer(requested) {
        Err(DomainError::NotFound(_)) => Err(not_a_dealer()),
        other => other,
    }
}

/// The dealer an administrator named exists; otherwise 422 `dealerId`.
pub async fn dealer(
    db: &impl ConnectionTrait,
    caller: &Caller,
    dealer_id: Uuid,
) -> DomainResult<()> {
    if caller.dealer_id.is_none() && !known_dealers::exists(db, dealer_id).await? {
        return Err(not_a_dealer());
    }
    Ok(())
}

/// `user_id` is an active person of `dealer_id` who may own or be given its records;
/// otherwise 422 on `field`. The caller naming themself is always fine.
pub async fn person(
    db: &impl ConnectionTrait,
    caller: &Caller,
    dealer_id: Uuid,
    field: &str,
    user_id: Uuid,
) -> DomainResult<Uuid> {
    if user_id == caller.subject && caller.dealer_id == Some(dealer_id) {
        return Ok(user_id);
    }
    let user = dealer_users::find(db, user_id).await?;
    match person_refusal(user.as_ref(), dealer_id) {
        Some(why) => Err(DomainError::invalid(field, why)),
        None => Ok(user_id),
    }
}

/// The VIN is a vehicle at the dealer of `branch_id`, of `variant_id`; otherwise 422 `vin`.
pub async fn vehicle(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    branch_id: Uuid,
    variant_id: Uuid,
    vin: &str,
) -> DomainResult<()> {
    let known = dealer_vehicles::find(db, vin).await?;
    match vehicle_refusal(known.as_ref(), dealer_id, branch_id, variant_id) {
        Some(why) => Err(DomainError::invalid("vin", why)),
        None => Ok(()),
    }
}

/// A variant of the catalog (on sale or not); otherwise 422 on `field`.
pub async fn variant(db: &impl ConnectionTrait, field: &str, variant_id: Uuid) -> DomainResult<()> {
    if catalog_variants::is_known(db, variant_id).await? {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "no such variant in the catalog",
        ))
    }
}

/// The outcome of inserting a record that names a customer: the foreign key refusing an id no
/// customer has is the same 422 `customerId` as [`super::customers::active_of_dealer`]'s.
pub fn inserted<T>(result: Result<T, sea_orm::DbErr>) -> DomainResult<T> {
    result.map_err(|error| match error.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            DomainError::invalid("customerId", "not an active customer of this dealer")
        }
        _ => error.into(),
    })
}
