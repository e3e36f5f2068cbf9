//! `/auth/*`: sign-in, refresh-token rotation, sign-out, sessions, client credentials, JWKS.

use super::State;
use crate::{
    app::{
        sessions::{self as use_case, Origin, Tokens},
        users::UserDto,
    },
    store::sessions,
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{config::Settings, validation::ValidJson, ApiError, ApiResult, Caller, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 320))]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_at: chrono::DateTime<chrono::Utc>,
    pub session_id: Uuid,
    pub user: UserDto,
}

impl From<Tokens> for TokenResponse {
    fn from(t: Tokens) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer".into(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            refresh_expires_at: t.refresh_expires_at,
            session_id: t.session_id,
            user: UserDto::from(t.user),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    pub refresh_token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session of the token making this request.
    pub current: bool,
}

impl SessionDto {
    fn from_model(s: sessions::Model, current: Option<Uuid>) -> Self {
        Self {
            current: Some(s.id) == current,
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            ip: s.ip,
        }
    }
}

/// OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientCredentialsRequest {
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated subset of the client's scopes.
    pub scope: Option<String>,
}

/// RFC 6749 token response (snake_case as the RFC prescribes).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}

/// The client address: the peer, or the first X-Forwarded-For hop behind a trusted proxy.
fn client_ip(req: &HttpRequest, settings: &Settings) -> Option<String> {
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

fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(500).collect())
}

fn origin(req: &HttpRequest, settings: &Settings) -> Origin {
    Origin {
        ip: client_ip(req, settings),
        user_agent: user_agent(req),
    }
}

/// Exchanges email and password for an access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Wrong email or password (same answer for both)", body = kernel::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failures; see Retry-After", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let origin = origin(&req, &state.settings);
    let tokens = use_case::login(&state, &body.email, body.password, origin).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// Rotates a refresh token. Presenting one that was already used revokes its whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", operation_id = "refreshTokens", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Unknown, expired, revoked or reused token", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    state: State,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let origin = origin(&req, &state.settings);
    let tokens = use_case::refresh(&state, &body.refresh_token, origin).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// Ends the caller's session; its access tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out")))]
pub async fn logout(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    use_case::logout(&state, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of the caller.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", operation_id = "logoutAllSessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "All sessions ended")))]
pub async fn logout_all(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    use_case::logout_all(&state, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's active sessions.
#[utoipa::path(get, path = "/api/v1/auth/sessions", operation_id = "listSessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = [SessionDto])))]
pub async fn list_sessions(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let list: Vec<SessionDto> = use_case::list(&state, &caller)
        .await?
        .into_iter()
        .map(|s| SessionDto::from_model(s, caller.session_id))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Ends one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", operation_id = "revokeSession", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Session ended"), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_session(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    use_case::end(&state, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// OAuth 2.0 client-credentials grant for service clients (form-encoded; HTTP Basic accepted).
#[utoipa::path(post, path = "/api/v1/auth/token", operation_id = "issueServiceToken", tag = "auth",
    request_body(content = ClientCredentialsRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = ClientTokenResponse),
        (status = 401, description = "Unknown client or wrong secret", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn client_credentials(
    state: State,
    req: HttpRequest,
    body: web::Form<ClientCredentialsRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if body.grant_type != "client_credentials" {
        return Err(
            ApiError::bad_request("unsupported grant_type (only client_credentials)")
                .with_code(ErrorCode::UnsupportedGrantType),
        );
    }
    let (client_id, secret) = match (body.client_id, body.client_secret, basic_credentials(&req)) {
        (Some(id), Some(secret), _) => (id, secret),
        (_, _, Some(pair)) => pair,
        _ => {
            return Err(ApiError::unauthorized("client credentials are required")
                .with_code(ErrorCode::InvalidClient))
        }
    };
    let token = use_case::client_token(&state, &client_id, &secret, body.scope.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientTokenResponse {
            access_token: token.access_token,
            token_type: "Bearer".into(),
            expires_in: token.expires_in,
            scope: token.scopes.join(" "),
        }))
}

/// `Authorization: Basic base64(client_id:client_secret)` (RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The public keys that verify access tokens.
#[utoipa::path(get, path = "/api/v1/auth/.well-known/jwks.json", operation_id = "getJwks", tag = "auth", responses(
    (status = 200, body = kernel::tokens::Jwks)))]
pub async fn jwks(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(&state.keys.jwks)
}
