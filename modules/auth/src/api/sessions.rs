//! Sign-in, refresh-token rotation, sign-out, sessions, client credentials, JWKS.

use super::{
    client_ip, user_agent, ClientCredentialsRequest, ClientTokenResponse, LoginRequest,
    RefreshRequest, SessionDto, State, TokenResponse, UserDto,
};
use crate::{
    domain::Email,
    store::{audit, refresh_tokens, service_clients, sessions, users},
    throttle::LoginThrottle,
    tokens::{hash_secret, new_secret, sign_access_token, Subject},
};
use actix_web::{web, HttpRequest, HttpResponse};
use kernel::{
    tokens::revoked_token_key, validation::ValidJson, ApiError, ApiResult, Caller, WriteTxn,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::SecretString;
use std::time::Duration;
use uuid::Uuid;

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid email or password")
        .with_code(kernel::error::ErrorCode::InvalidCredentials)
}

/// Creates a session with its first refresh token and signs the access token.
async fn open_session(
    state: &State,
    txn: &WriteTxn,
    user: &users::Model,
    req: &HttpRequest,
) -> ApiResult<TokenResponse> {
    let now = chrono::Utc::now();
    let ttl = chrono::Duration::seconds(
        i64::try_from(state.settings.auth.refresh_token_ttl_secs).unwrap_or(2_592_000),
    );
    let session = sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + ttl),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(user_agent(req)),
        ip: Set(client_ip(req, &state.settings)),
    }
    .insert(&**txn)
    .await?;
    issue_pair(state, txn, user, &session).await
}

/// Adds a refresh token to `session` and signs an access token bound to it.
async fn issue_pair(
    state: &State,
    txn: &WriteTxn,
    user: &users::Model,
    session: &sessions::Model,
) -> ApiResult<TokenResponse> {
    let (raw, hash) = new_secret();
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session.id),
        token_hash: Set(hash),
        created_at: Set(chrono::Utc::now()),
        expires_at: Set(session.expires_at),
        used_at: Set(None),
    }
    .insert(&**txn)
    .await?;
    let (access_token, claims) = sign_access_token(
        &state.keys,
        &state.settings.auth,
        Subject {
            id: user.id,
            role: &user.role,
            dealer_id: user.dealer_id,
            branch_id: user.branch_id,
            email: Some(&user.email),
            name: &user.name,
            scopes: &[],
            session: Some(session.id),
        },
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: claims.exp - claims.iat,
        refresh_token: raw,
        refresh_expires_at: session.expires_at,
        session_id: session.id,
        user: UserDto::from(user.clone()),
    })
}

/// Exchanges email and password for an access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Wrong email or password (same answer for both)", body = kernel::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failures; see Retry-After", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let ip = client_ip(&req, &state.settings);
    // A malformed email cannot belong to anyone: same answer as a wrong password.
    let email = Email::parse(&body.email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| body.email.trim().to_lowercase());
    let throttle = LoginThrottle {
        cache: state.cache.as_ref(),
        settings: &state.settings.auth,
    };
    if let Err(error) = throttle.check(&email, ip.as_deref()).await {
        let record = audit::Record {
            email: Some(email.clone()),
            ip: ip.clone(),
            ..Default::default()
        };
        audit::record(state.db.conn(), audit::Kind::LoginThrottled, record).await?;
        return Err(error);
    }
    let user = users::find_by_email(state.db.conn(), &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok = state
        .hasher
        .verify(SecretString::from(body.password), hash)
        .await?;
    let user = match user {
        Some(user) if password_ok && user.active => user,
        other => {
            throttle.failed(&email, ip.as_deref()).await?;
            let reason = match other {
                None => "unknown email",
                Some(u) if !u.active && password_ok => "account deactivated",
                Some(_) => "wrong password",
            };
            let record = audit::Record {
                user_id: None,
                email: Some(email),
                ip,
                detail: Some(reason.to_owned()),
                ..Default::default()
            };
            audit::record(state.db.conn(), audit::Kind::LoginFailed, record).await?;
            return Err(invalid_credentials());
        }
    };
    throttle.succeeded(&email).await?;
    let txn = state.db.begin().await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.last_login_at = Set(Some(chrono::Utc::now()));
    let user = active.update(&*txn).await?;
    let response = open_session(&state, &txn, &user, &req).await?;
    let record = audit::Record {
        user_id: Some(user.id),
        email: Some(user.email.clone()),
        ip,
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::LoginSucceeded, record).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Rotates a refresh token. Presenting one that was already used revokes its whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Unknown, expired, revoked or reused token", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn refresh(
    state: State,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let rejected = || {
        ApiError::unauthorized("invalid refresh token")
            .with_code(kernel::error::ErrorCode::InvalidRefreshToken)
    };
    let hash = hash_secret(&body.refresh_token);
    let txn = state.db.begin().await?;
    let token = refresh_tokens::find_by_hash(&*txn, &hash)
        .await?
        .ok_or_else(rejected)?;
    let session = sessions::Entity::find_by_id(token.session_id)
        .one(&*txn)
        .await?
        .ok_or_else(rejected)?;
    let now = chrono::Utc::now();
    // Exactly one request may rotate a token: the conditional update decides races.
    let fresh = token.used_at.is_none() && refresh_tokens::mark_used(&*txn, token.id).await?;
    if !fresh {
        // Reuse of a rotated token: assume theft and end the whole family.
        if session.revoked_at.is_none() {
            state
                .revoke_sessions(&*txn, &[session.id], "refresh_token_reuse")
                .await?;
        }
        let record = audit::Record {
            user_id: Some(session.user_id),
            ip: client_ip(&req, &state.settings),
            detail: Some(format!("session {}", session.id)),
            ..Default::default()
        };
        audit::record(&*txn, audit::Kind::RefreshReused, record).await?;
        txn.commit().await?;
        return Err(rejected());
    }
    if !session.is_active(now) || token.expires_at <= now {
        return Err(rejected());
    }
    let user = users::Entity::find_by_id(session.user_id)
        .one(&*txn)
        .await?
        .ok_or_else(rejected)?;
    if !user.active {
        return Err(rejected());
    }
    let mut touched: sessions::ActiveModel = session.into();
    touched.last_used_at = Set(now);
    let session = touched.update(&*txn).await?;
    let response = issue_pair(&state, &txn, &user, &session).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Ends the caller's session; its access tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out")))]
pub async fn logout(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let txn = state.db.begin().await?;
    if let Some(session) = caller.session_id {
        state.revoke_sessions(&*txn, &[session], "logout").await?;
    }
    let left = (caller.expires_at - chrono::Utc::now().timestamp()).max(1) as u64;
    state
        .cache
        .set(
            &revoked_token_key(&caller.token_id),
            "logout",
            Duration::from_secs(left + kernel::tokens::LEEWAY_SECS),
        )
        .await
        .map_err(ApiError::internal)?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of the caller.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "All sessions ended")))]
pub async fn logout_all(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let txn = state.db.begin().await?;
    let count = state
        .revoke_all_sessions(&*txn, caller.subject, "logout_all")
        .await?;
    let record = audit::Record {
        user_id: Some(caller.subject),
        detail: Some(format!("{count} sessions")),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::SessionsRevoked, record).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's active sessions.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = [SessionDto])))]
pub async fn list_sessions(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let list: Vec<SessionDto> = sessions::active_for_user(state.db.conn(), caller.subject)
        .await?
        .into_iter()
        .map(|s| SessionDto::from_model(s, caller.session_id))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Ends one of the caller's sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Session ended"), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_session(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let txn = state.db.begin().await?;
    let session = sessions::Entity::find_by_id(*id)
        .filter(sessions::Column::UserId.eq(caller.subject))
        .one(&*txn)
        .await?
        .filter(|s| s.revoked_at.is_none())
        .ok_or_else(|| ApiError::not_found("no such session"))?;
    state
        .revoke_sessions(&*txn, &[session.id], "revoked_by_user")
        .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// OAuth 2.0 client-credentials grant for service clients (form-encoded; HTTP Basic accepted).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth",
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
                .with_code(kernel::error::ErrorCode::UnsupportedGrantType),
        );
    }
    let (client_id, secret) = match (body.client_id, body.client_secret, basic_credentials(&req)) {
        (Some(id), Some(secret), _) => (id, secret),
        (_, _, Some(pair)) => pair,
        _ => {
            return Err(ApiError::unauthorized("client credentials are required")
                .with_code(kernel::error::ErrorCode::InvalidClient))
        }
    };
    let invalid = || {
        ApiError::unauthorized("invalid client credentials")
            .with_code(kernel::error::ErrorCode::InvalidClient)
    };
    let client = service_clients::Entity::find()
        .filter(service_clients::Column::ClientId.eq(client_id.as_str()))
        .one(state.db.conn())
        .await?
        .filter(|c| c.active)
        .ok_or_else(invalid)?;
    // High-entropy secrets are stored as SHA-256; compare the digests.
    if hash_secret(&secret) != client.secret_hash {
        return Err(invalid());
    }
    let granted = client.scope_list();
    let scopes: Vec<String> = match body
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => granted,
        Some(asked) => {
            let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(ApiError::bad_request(format!(
                    "scope `{extra}` is not granted to this client"
                ))
                .with_code(kernel::error::ErrorCode::InvalidScope));
            }
            asked
        }
    };
    let (token, claims) = sign_access_token(
        &state.keys,
        &state.settings.auth,
        Subject {
            id: client.id,
            role: kernel::Role::Service.as_str(),
            dealer_id: None,
            branch_id: None,
            email: None,
            name: &client.name,
            scopes: &scopes,
            session: None,
        },
    )?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientTokenResponse {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: claims.exp - claims.iat,
            scope: scopes.join(" "),
        }))
}

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
#[utoipa::path(get, path = "/api/v1/auth/.well-known/jwks.json", tag = "auth", responses(
    (status = 200, body = kernel::tokens::Jwks)))]
pub async fn jwks(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(&state.keys.jwks)
}
