//! sea-orm entities of the `auth` schema and the queries on them.

pub mod audit;
pub mod known_branches;
pub mod password_resets;
pub mod refresh_tokens;
pub mod revocations;
pub mod service_clients;
pub mod sessions;
pub mod users;
