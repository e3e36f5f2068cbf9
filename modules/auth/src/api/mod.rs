//! HTTP endpoints of the auth module and the state they share.

mod dto;
mod password;
mod service_clients;
mod sessions;
mod users;

pub use dto::*;

use crate::{keys::Keys, passwords::PasswordHasher, store};
use actix_web::{web, HttpRequest};
use kernel::{
    cache::Cache,
    config::Settings,
    tokens::{revoked_session_key, TokenVerifier},
    Access, ApiError, Db, Role, RouteTable,
};
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

pub struct AuthState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    pub keys: Arc<Keys>,
    pub cache: Arc<dyn Cache>,
    pub verifier: Arc<TokenVerifier>,
    /// Seals the password-reset token for the notification module.
    pub sealer: kernel::secrets::Sealer,
}

pub type State = web::Data<AuthState>;

const ADMIN: &[Role] = &[Role::Admin];
/// Roles that may list and create users (each within its own limits).
const USER_MANAGERS: &[Role] = &[Role::Admin, Role::EvmStaff, Role::DealerManager];

pub fn routes(r: &mut RouteTable, state: State) {
    r.app_data(state);
    r.post("/auth/login", Access::Public, sessions::login)
        .post("/auth/refresh", Access::Public, sessions::refresh)
        .post("/auth/logout", Access::Authenticated, sessions::logout)
        .post(
            "/auth/logout-all",
            Access::Authenticated,
            sessions::logout_all,
        )
        .get(
            "/auth/sessions",
            Access::Authenticated,
            sessions::list_sessions,
        )
        .delete(
            "/auth/sessions/{id}",
            Access::Authenticated,
            sessions::delete_session,
        )
        .post("/auth/token", Access::Public, sessions::client_credentials)
        .get(
            "/auth/.well-known/jwks.json",
            Access::Public,
            sessions::jwks,
        )
        .post("/auth/password/forgot", Access::Public, password::forgot)
        .post("/auth/password/reset", Access::Public, password::reset)
        .post(
            "/auth/password/change",
            Access::Authenticated,
            password::change,
        )
        .get("/users/me", Access::Authenticated, users::me)
        .patch("/users/me", Access::Authenticated, users::update_me)
        .get("/users", Access::Roles(USER_MANAGERS), users::list)
        .post("/users", Access::Roles(USER_MANAGERS), users::create)
        .idempotent(contracts::modules::AUTH)
        .get("/users/{id}", Access::Authenticated, users::get)
        .patch("/users/{id}", Access::Roles(USER_MANAGERS), users::update)
        .post(
            "/users/{id}/deactivate",
            Access::Roles(USER_MANAGERS),
            users::deactivate,
        )
        .post(
            "/users/{id}/reactivate",
            Access::Roles(USER_MANAGERS),
            users::reactivate,
        )
        .get(
            "/service-clients",
            Access::Roles(ADMIN),
            service_clients::list,
        )
        .post(
            "/service-clients",
            Access::Roles(ADMIN),
            service_clients::create,
        )
        .get(
            "/service-clients/{id}",
            Access::Roles(ADMIN),
            service_clients::get,
        )
        .patch(
            "/service-clients/{id}",
            Access::Roles(ADMIN),
            service_clients::update,
        )
        .delete(
            "/service-clients/{id}",
            Access::Roles(ADMIN),
            service_clients::delete,
        )
        .post(
            "/service-clients/{id}/rotate-secret",
            Access::Roles(ADMIN),
            service_clients::rotate_secret,
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        sessions::login, sessions::refresh, sessions::logout, sessions::logout_all, sessions::list_sessions,
        sessions::delete_session, sessions::client_credentials, sessions::jwks,
        password::forgot, password::reset, password::change,
        users::me, users::update_me, users::list, users::create, users::get, users::update,
        users::deactivate, users::reactivate,
        service_clients::list, service_clients::create, service_clients::get, service_clients::update,
        service_clients::delete, service_clients::rotate_secret,
    ),
    components(schemas(
        UserDto, LoginRequest, TokenResponse, RefreshRequest, SessionDto, ForgotPasswordRequest,
        ResetPasswordRequest, ChangePasswordRequest, CreateUserRequest, UpdateUserRequest,
        UpdateProfileRequest, ServiceClientDto, ServiceClientCredentials, CreateServiceClientRequest,
        UpdateServiceClientRequest, ClientCredentialsRequest, ClientTokenResponse,
        kernel::tokens::Jwks, kernel::tokens::Jwk,
    )),
    tags((name = "auth", description = "Sign-in, sessions, passwords, service tokens"),
         (name = "users", description = "User accounts"),
         (name = "service-clients", description = "Machine clients (client-credentials grant)"))
)]
pub struct ApiDoc;

/// Creates a demo user (seed): same path as the API, so the event is raised too.
#[allow(clippy::too_many_arguments)]
pub async fn insert_seed_user(
    state: &State,
    id: Uuid,
    email: crate::domain::Email,
    name: &str,
    role: Role,
    dealer_id: Option<Uuid>,
    branch_id: Option<Uuid>,
    hash: String,
) -> Result<(), ApiError> {
    users::insert_user(
        state, id, None, email, name, role, dealer_id, branch_id, hash,
    )
    .await
    .map(|_| ())
}

/// The client address: the peer, or the first X-Forwarded-For hop behind a trusted proxy.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> Option<String> {
    if settings.server.trust_forwarded_for {
        if let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        {
            if let Some(first) = forwarded.split(',').map(str::trim).find(|s| !s.is_empty()) {
                return Some(first.chars().take(64).collect());
            }
        }
    }
    req.peer_addr().map(|a| a.ip().to_string())
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(500).collect())
}

impl AuthState {
    /// How long a revoked session's access tokens must stay denylisted: their whole lifetime.
    pub fn denylist_ttl(&self) -> Duration {
        Duration::from_secs(self.settings.auth.access_token_ttl_secs + kernel::tokens::LEEWAY_SECS)
    }

    /// Revokes sessions in `txn` and denylists their access tokens. Call before committing, so a
    /// failure to reach the cache changes nothing.
    pub async fn revoke_sessions(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        ids: &[Uuid],
        reason: &str,
    ) -> Result<(), ApiError> {
        store::sessions::revoke(txn, ids, reason).await?;
        for id in ids {
            self.cache
                .set(&revoked_session_key(*id), reason, self.denylist_ttl())
                .await
                .map_err(ApiError::internal)?;
        }
        Ok(())
    }

    /// Revokes every active session of a user.
    pub async fn revoke_all_sessions(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        user_id: Uuid,
        reason: &str,
    ) -> Result<usize, ApiError> {
        let ids: Vec<Uuid> = store::sessions::active_for_user(txn, user_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        self.revoke_sessions(txn, &ids, reason).await?;
        Ok(ids.len())
    }
}

/// Parses `If-Match: "3"` (or `W/"3"`) into a version.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get("if-match") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse()
        .map(Some)
        .map_err(|_| ApiError::bad_request("If-Match must be a quoted version, e.g. \"3\""))
}

/// The version an update must match: `If-Match` wins over the body's `version`.
pub fn expected_version(req: &HttpRequest, body: Option<i32>) -> Result<(i32, bool), ApiError> {
    match (if_match(req)?, body) {
        (Some(v), _) => Ok((v, true)),
        (None, Some(v)) => Ok((v, false)),
        (None, None) => Err(ApiError::invalid_field(
            "version",
            "is required (or send If-Match)",
        )),
    }
}

/// 412 for a stale `If-Match`, 409 for a stale body version.
pub fn stale(from_header: bool) -> ApiError {
    if from_header {
        ApiError::precondition_failed("the resource changed since it was read")
    } else {
        ApiError::conflict("the resource changed since it was read (stale version)")
            .with_code(kernel::error::ErrorCode::StaleVersion)
    }
}

pub fn etag(version: i32) -> (&'static str, String) {
    ("ETag", format!("\"{version}\""))
}
