//! What modules may know of each other: module names, integration event types and their
//! registered names, shared ids. Nothing here depends on a module crate.

pub mod events;
pub mod modules;
pub mod money;
pub mod seed;
pub mod vin;

pub use events::{EventName, IntegrationEvent};
pub use money::Money;
pub use vin::Vin;
