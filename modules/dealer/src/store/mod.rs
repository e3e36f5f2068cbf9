//! The `dealer` schema: one file per table (its sea-orm entity and every query on it). All
//! queries take `&impl ConnectionTrait`, so a use case runs them inside its transaction.
//! Statuses and kinds are typed columns (text in the database); JSON columns decode strictly.

pub mod branches;
pub mod catalog_variants;
pub mod customer_payments;
pub mod dealer_promotions;
pub mod dealers;
pub mod instalments;
pub mod inventory_units;
pub mod known_customers;
pub mod oem_promotions;
pub mod quotations;
pub mod sale_contracts;
pub mod sales_orders;
pub mod sales_targets;
pub mod staff;

/// Lists narrow to the caller's dealer (and dealer staff to their own documents).
pub use kernel::store::Visibility;
