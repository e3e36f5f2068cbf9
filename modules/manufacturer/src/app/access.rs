//! Which dealer's documents a caller works with.

use kernel::{auth::roles::OEM, Caller, DomainError, DomainResult};
use uuid::Uuid;

/// The dealer a list or a request is narrowed to: OEM roles see every dealer (or the one they
/// name); a dealer role only its own (naming another is a 404), and a dealer account without a
/// dealer sees nothing (403).
pub fn dealer_filter(caller: &Caller, requested: Option<Uuid>) -> DomainResult<Option<Uuid>> {
    if caller.has_role(OEM) {
        return Ok(requested);
    }
    if caller.dealer_id.is_none() {
        return Err(DomainError::Forbidden(
            "your account belongs to no dealer".into(),
        ));
    }
    caller.acting_dealer(requested).map(Some)
}

/// Whether the caller is the manufacturer's (OEM staff or an admin).
pub fn is_oem(caller: &Caller) -> bool {
    caller.has_role(OEM)
}
