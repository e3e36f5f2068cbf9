//! HTTP endpoints of the auth module and the state they share.

pub mod audit;
pub mod password;
pub mod revocations;
pub mod service_clients;
pub mod sessions;
pub mod users;

use crate::{app::Services, domain::AuthError, domain::ExpectedVersion};
use actix_web::{web, HttpRequest};
use kernel::{Access, ApiError, Role, RouteTable};

pub type State = web::Data<Services>;

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
        .get("/auth/audit-log", Access::Roles(ADMIN), audit::list)
        .get(
            "/auth/.well-known/jwks.json",
            Access::Public,
            sessions::jwks,
        )
        .get(
            "/auth/revocations",
            Access::CheckedByHandler("internal key (X-EVDMS-Internal-Key)"),
            revocations::feed,
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
        sessions::delete_session, sessions::client_credentials, sessions::jwks, revocations::feed,
        password::forgot, password::reset, password::change,
        users::me, users::update_me, users::list, users::create, users::get, users::update,
        users::deactivate, users::reactivate,
        service_clients::list, service_clients::create, service_clients::get, service_clients::update,
        service_clients::delete, service_clients::rotate_secret, audit::list,
    ),
    components(schemas(
        crate::app::users::UserDto, sessions::LoginRequest, sessions::TokenResponse,
        sessions::RefreshRequest, sessions::SessionDto, password::ForgotPasswordRequest,
        password::ResetPasswordRequest, password::ChangePasswordRequest, users::CreateUserRequest,
        users::UpdateUserRequest, users::UpdateProfileRequest, service_clients::ServiceClientDto,
        service_clients::ServiceClientCredentials, service_clients::CreateServiceClientRequest,
        service_clients::UpdateServiceClientRequest, sessions::ClientCredentialsRequest,
        sessions::ClientTokenResponse,
        kernel::tokens::Jwks, kernel::tokens::Jwk, audit::AuditEntryDto,
        crate::store::audit::AuditAction,
        kernel::tokens::Jwks, kernel::tokens::Jwk, kernel::revocation::RevocationFeed,
        kernel::revocation::Revocation, kernel::revocation::RevocationKind,
    )),
    tags((name = "auth", description = "Sign-in, sessions, passwords, service tokens"),
         (name = "users", description = "User accounts"),
         (name = "service-clients", description = "Machine clients (client-credentials grant)"))
)]
pub struct ApiDoc;

/// How the auth use cases' failures answer: the kernel's mapping for the shared rules, and
/// 401, 400, 412 and 429 (with Retry-After) for the ones only sign-in has.
impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Rule(rule) => rule.into(),
            AuthError::Unauthorized { code, detail } => {
                ApiError::unauthorized(detail).with_code(code)
            }
            AuthError::BadRequest { code, detail } => ApiError::bad_request(detail).with_code(code),
            AuthError::PreconditionFailed(detail) => ApiError::precondition_failed(detail),
            AuthError::Throttled { retry_after_secs } => {
                ApiError::too_many_requests(retry_after_secs)
            }
        }
    }
}

/// Parses `If-Match: "3"` (or `W/"3"`) into a version.
fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
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
pub fn expected_version(req: &HttpRequest, body: Option<i32>) -> Result<ExpectedVersion, ApiError> {
    match (if_match(req)?, body) {
        (Some(v), _) => Ok(ExpectedVersion::IfMatch(v)),
        (None, Some(v)) => Ok(ExpectedVersion::Body(v)),
        (None, None) => Err(ApiError::invalid_field(
            "version",
            "is required (or send If-Match)",
        )),
    }
}

pub fn etag(version: i32) -> (&'static str, String) {
    ("ETag", format!("\"{version}\""))
}
