//! Use cases of the manufacturer module: each opens its transaction, checks the rules
//! (`domain/`), reads and writes through `store/` and publishes its events in the same
//! transaction. HTTP handlers, the overdue sweep and the seed all come through here.

pub mod access;
pub mod catalog;
pub mod finance;
pub mod orders;
pub mod overdue;
pub mod payments;
pub mod pricing;
pub mod promotions;
pub mod stock;
pub mod variants;
