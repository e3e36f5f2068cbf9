//! Use cases of the dealer module, one file per resource: each opens its transaction, checks
//! the rules (`domain/`), writes through `store/` and publishes its events in the same
//! transaction. HTTP handlers, event handlers, the overdue sweep and the seed all come through
//! here.

pub mod dealers;
pub mod directory;
pub mod inventory;
pub mod network;
pub mod overdue;
pub mod payments;
pub mod pricing;
pub mod promotions;
pub mod quotations;
pub mod references;
pub mod sales;
pub mod sales_orders;
pub mod settlement;

use crate::domain::discounts::Seller;
use kernel::{auth::roles::DEALER_MANAGERS, Caller, Db};

/// What the use cases share.
pub struct Services {
    pub db: Db,
}

/// Whose discount allowance the caller has: a manager's (and admins') or a salesperson's.
pub fn seller(caller: &Caller) -> Seller {
    if caller.has_role(DEALER_MANAGERS) {
        Seller::Manager
    } else {
        Seller::Staff
    }
}
