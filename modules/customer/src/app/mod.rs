//! Use cases of the customer module, one file per resource: each opens its transaction, checks
//! the rules (`domain/`), writes through `store/` and publishes its events in the same
//! transaction. HTTP handlers, event handlers and the seed all come through here.

pub mod availability;
pub mod customers;
pub mod directory;
pub mod feedback;
pub mod leads;
pub mod privacy;
pub mod references;
pub mod test_drives;
pub mod timeline;

use crate::store::timeline::TimelineStore;
use kernel::Db;
use std::sync::Arc;

/// What the use cases share.
pub struct Services {
    pub db: Db,
    pub timeline: Arc<dyn TimelineStore>,
}
