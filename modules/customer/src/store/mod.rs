//! sea-orm entities of the `customer` schema.

mod people;
mod visits;

pub use people::{customers, feedback, lead_stage_history, leads};
pub use visits::{branch_hours, catalog_variants, test_drive_slots, test_drives};
