//! The `customer` schema: one file per table (its sea-orm entity and every query on it). All
//! queries take `&impl ConnectionTrait`, so a use case runs them inside its transaction.

pub mod branch_hours;
pub mod catalog_variants;
pub mod customers;
pub mod feedback;
pub mod lead_stage_history;
pub mod leads;
pub mod test_drive_slots;
pub mod test_drives;
pub mod timeline;

use kernel::Caller;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryTrait, Select};
use uuid::Uuid;

/// Which documents of a dealer a list shows: dealer roles their dealer's (OEM roles name one, or
/// see all), dealer staff only their own.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    pub dealer_id: Option<Uuid>,
    /// Set for dealer staff: only documents this person owns.
    pub own_only: Option<Uuid>,
}

impl Visibility {
    pub fn of(caller: &Caller, requested_dealer: Option<Uuid>) -> kernel::DomainResult<Self> {
        let dealer_id = if caller.dealer_id.is_some() || requested_dealer.is_some() {
            Some(caller.acting_dealer(requested_dealer)?)
        } else {
            None
        };
        Ok(Self {
            dealer_id,
            own_only: (!caller.sees_all_of_dealer()).then_some(caller.subject),
        })
    }
}

impl Visibility {
    /// Narrows `select` to what this visibility shows: the dealer in `dealer`, and for dealer
    /// staff the rows whose `owner` is them.
    pub fn apply<E: EntityTrait>(
        self,
        select: Select<E>,
        dealer: E::Column,
        owner: E::Column,
    ) -> Select<E> {
        select
            .apply_if(self.dealer_id, |q, d| q.filter(dealer.eq(d)))
            .apply_if(self.own_only, |q, o| q.filter(owner.eq(o)))
    }
}
