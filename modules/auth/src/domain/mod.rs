//! Pure rules of the auth module, tested without a database or HTTP: who may create, see and
//! manage which users, parsed inputs (emails, roles, scopes), and the module's error type.

pub mod branches;
pub mod errors;
pub mod refresh;
pub mod service_clients;
pub mod users;

pub use errors::{AuthError, AuthResult, ExpectedVersion};
pub use users::Email;
