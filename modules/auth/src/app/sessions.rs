//! Sign-in, refresh-token rotation (with reuse detection), sign-out, the caller's sessions and
//! the client-credentials grant.

use super::Services;
use crate::{
    domain::{service_clients::token_scopes, users as rules, AuthError, AuthResult, Email},
    store::{
        audit, refresh_tokens, service_clients,
        sessions::{self, NewSession},
        users,
    },
    throttle::{Account, LoginThrottle},
    tokens::{hash_secret, new_secret, sign_access_token, Subject},
};
use kernel::{Caller, DomainError, DomainResult, WriteTxn};
use secrecy::SecretString;
use uuid::Uuid;

/// Where a request came from, as the session and the audit trail record it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed access token and the refresh token that renews it, for `user` in `session`.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_at: chrono::DateTime<chrono::Utc>,
    pub session_id: Uuid,
    pub user: users::Model,
}

/// Creates a session with its first refresh token and signs the access token.
async fn open_session(
    services: &Services,
    txn: &WriteTxn,
    user: users::Model,
    origin: &Origin,
) -> AuthResult<Tokens> {
    let ttl = chrono::Duration::seconds(
        i64::try_from(services.settings.auth.refresh_token_ttl_secs).unwrap_or(2_592_000),
    );
    let session = NewSession {
        user_id: user.id,
        expires_at: chrono::Utc::now() + ttl,
        user_agent: origin.user_agent.clone(),
        ip: origin.ip.clone(),
    };
    let session = sessions::insert(&**txn, session).await?;
    issue_pair(services, txn, user, &session, new_secret()).await
}

/// Adds refresh token `secret` (raw, hash) to `session` and signs an access token bound to it.
pub(super) async fn issue_pair(
    services: &Services,
    txn: &WriteTxn,
    user: users::Model,
    session: &sessions::Model,
    (raw, hash): (String, String),
) -> AuthResult<Tokens> {
    let token = refresh_tokens::insert(&**txn, session.id, hash, session.expires_at).await?;
    pair_for(services, user, session, raw, token.expires_at)
}

/// Signs an access token for `user` in `session` and pairs it with refresh token `raw`.
pub(super) fn pair_for(
    services: &Services,
    user: users::Model,
    session: &sessions::Model,
    raw: String,
    refresh_expires_at: chrono::DateTime<chrono::Utc>,
) -> AuthResult<Tokens> {
    let (access_token, claims) = sign_access_token(
        &services.keys,
        &services.settings.auth,
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
    Ok(Tokens {
        access_token,
        expires_in: claims.exp - claims.iat,
        refresh_token: raw,
        refresh_expires_at,
        session_id: session.id,
        user,
    })
}

/// Exchanges email and password for a new session. A wrong password, an unknown email and a
/// deactivated account get the same 401 (the audit trail tells them apart); failures earn
/// growing delays for their account+address pair and address (429 with Retry-After while one
/// lasts), never a lockout of the right password from elsewhere (see `throttle`).
pub async fn login(
    services: &Services,
    email: &str,
    password: String,
    origin: Origin,
) -> AuthResult<Tokens> {
    let ip = origin.ip.clone();
    // A malformed email cannot belong to anyone: same answer as a wrong password.
    let email = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| email.trim().to_lowercase());
    let throttle = LoginThrottle {
        cache: services.cache.as_ref(),
        settings: &services.settings.auth,
    };
    // Known and unknown emails take the same steps (one lookup, the same cache round trips,
    // one hash verification), so neither the answer nor its timing tells them apart.
    let user = users::find_by_email(services.db.conn(), &email).await?;
    let account = Account::of(user.as_ref().map(|u| u.id), &email);
    if let Err(error) = throttle.check(&account, ip.as_deref()).await {
        let record = audit::Record {
            email: Some(email.clone()),
            ip: ip.clone(),
            ..Default::default()
        };
        audit::record(services.db.conn(), audit::Kind::LoginThrottled, record).await?;
        return Err(error);
    }
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok = services
        .hasher
        .verify(SecretString::from(password), hash)
        .await?;
    let user = match user {
        Some(user) if password_ok && user.active => user,
        other => {
            throttle.failed(&account, ip.as_deref()).await?;
            let reason = rules::login_failure_reason(
                other.is_some(),
                other.as_ref().is_some_and(|u| u.active),
                password_ok,
            );
            let record = audit::Record {
                user_id: None,
                email: Some(email),
                ip,
                detail: Some(reason.to_owned()),
                ..Default::default()
            };
            audit::record(services.db.conn(), audit::Kind::LoginFailed, record).await?;
            return Err(AuthError::invalid_credentials());
        }
    };
    throttle.succeeded(&account, ip.as_deref()).await?;
    let txn = services.db.begin().await?;
    let user = users::record_login(&*txn, user).await?;
    let record = audit::Record {
        user_id: Some(user.id),
        email: Some(user.email.clone()),
        ip,
        ..Default::default()
    };
    let tokens = open_session(services, &txn, user, &origin).await?;
    audit::record(&*txn, audit::Kind::LoginSucceeded, record).await?;
    txn.commit().await?;
    Ok(tokens)
}

pub use super::refresh::refresh;

/// Ends the caller's session; its access tokens, and this one, stop working at once.
pub async fn logout(services: &Services, caller: &Caller) -> AuthResult<()> {
    let txn = services.db.begin().await?;
    if let Some(session) = caller.session_id {
        services
            .revoke_sessions(&*txn, &[session], "logout")
            .await?;
    }
    services
        .revoke_token(&*txn, &caller.token_id, caller.expires_at, "logout")
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of the caller.
pub async fn logout_all(services: &Services, caller: &Caller) -> AuthResult<()> {
    let txn = services.db.begin().await?;
    let count = services
        .revoke_all_sessions(&*txn, caller.subject, "logout_all")
        .await?;
    let record = audit::Record {
        user_id: Some(caller.subject),
        detail: Some(format!("{count} sessions")),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::SessionsRevoked, record).await?;
    txn.commit().await?;
    Ok(())
}

/// The caller's active sessions.
pub async fn list(services: &Services, caller: &Caller) -> DomainResult<Vec<sessions::Model>> {
    Ok(sessions::active_for_user(services.db.conn(), caller.subject).await?)
}

/// Ends one of the caller's sessions (404 for another's or a revoked one).
pub async fn end(services: &Services, caller: &Caller, id: Uuid) -> AuthResult<()> {
    let txn = services.db.begin().await?;
    let session = sessions::find_unrevoked_of(&*txn, id, caller.subject)
        .await?
        .ok_or(DomainError::NotFound("session"))?;
    services
        .revoke_sessions(&*txn, &[session.id], "revoked_by_user")
        .await?;
    txn.commit().await?;
    Ok(())
}

/// A client-credentials token.
#[derive(Debug)]
pub struct ClientToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

/// The client-credentials grant: an active client with the right secret gets a token with its
/// scopes, or the subset `scope` asks for.
pub async fn client_token(
    services: &Services,
    client_id: &str,
    secret: &str,
    scope: Option<&str>,
) -> AuthResult<ClientToken> {
    let client = service_clients::find_by_client_id(services.db.conn(), client_id)
        .await?
        .filter(|c| c.active)
        .ok_or_else(AuthError::invalid_client)?;
    // High-entropy secrets are stored as SHA-256; compare the digests.
    if hash_secret(secret) != client.secret_hash {
        return Err(AuthError::invalid_client());
    }
    let scopes = token_scopes(client.scope_list(), scope)?;
    let (access_token, claims) = sign_access_token(
        &services.keys,
        &services.settings.auth,
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
    Ok(ClientToken {
        access_token,
        expires_in: claims.exp - claims.iat,
        scopes,
    })
}
