//! The `customer` schema: one file per table (its sea-orm entity and every query on it). All
//! queries take `&impl ConnectionTrait`, so a use case runs them inside its transaction.

pub mod branch_hours;
pub mod catalog_variants;
pub mod customers;
pub mod dealer_users;
pub mod dealer_vehicles;
pub mod feedback;
pub mod known_dealers;
pub mod lead_stage_history;
pub mod leads;
pub mod search;
pub mod test_drive_slots;
pub mod test_drives;
pub mod timeline;

/// Lists narrow to the caller's dealer (and dealer staff to their own documents) the way every
/// module's lists do.
pub use kernel::store::Visibility;
