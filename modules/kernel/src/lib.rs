//! Cross-cutting platform shared by every module: configuration, errors, HTTP edge, database,
//! migrations, events (outbox, relay, inbox, transports), auth extractor, pagination, operations.

pub mod auth;
pub mod backoff;
pub mod cache;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod input;
pub mod internal;
pub mod lifecycle;
pub mod live;
pub mod metrics;
pub mod migrate;
pub mod module;
pub mod ops;
pub mod pagination;
pub mod rate_limit;
pub mod revocation;
pub mod routing;
pub mod rules;
pub mod secrets;
pub mod store;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text_enum;
pub mod tokens;
pub mod validation;

pub use auth::{Access, Caller, Role};
pub use db::{Db, WriteTxn};
pub use error::{ApiError, ApiResult};
pub use lifecycle::Lifecycle;
pub use module::{AppContext, Module, ModuleRuntime};
pub use routing::RouteTable;
pub use rules::{DomainError, DomainResult, ErrorCode};
