//! Pure rules of the customer module, tested without a database or HTTP: typed states and
//! their transitions, contact details, test-drive time.

pub mod catalog;
pub mod contact;
pub mod customers;
pub mod feedback;
pub mod leads;
pub mod references;
pub mod schedule;
pub mod test_drives;
pub mod timeline;
