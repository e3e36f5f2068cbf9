//! The EVDMS binary: CLI, application assembly, the routing table and (feature `gateway`) the
//! proxy to modules hosted elsewhere. Only this crate knows every module.

pub mod admin;
pub mod bus;
pub mod cli;
#[cfg(feature = "gateway")]
pub mod gateway;
pub mod modules;
pub mod openapi;
pub mod routes;
pub mod startup;

pub use startup::Application;
