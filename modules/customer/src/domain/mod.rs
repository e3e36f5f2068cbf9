//! Pure rules of the customer module, tested without a database.

pub mod contact;
pub mod lifecycle;
pub mod schedule;
