//! Access tokens: the claims, the JWKS document, and the verifier every module's routes use.
//!
//! Only EdDSA is accepted (so `alg: none` and HMAC tokens fail), the key is chosen by `kid`,
//! `iss`, `aud`, `exp` and `nbf` are checked with a small leeway, and revoked tokens (by `jti`
//! or by session) are refused: those in the durable revocation list (`crate::revocation`) and,
//! as the fast path shared at once by every process, those in the cache (Redis when configured;
//! a cache outage falls back to the list). Split services load the keys from the auth service's
//! JWKS and the revocations from its feed.

use crate::{
    auth::{Authenticator, Caller, Role},
    cache::Cache,
    error::ApiError,
    revocation::RevocationList,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};
use uuid::Uuid;

pub const LEEWAY_SECS: u64 = 30;

/// The access token's claims (`dealerId`, `branchId` camelCase like the rest of the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessClaims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Space-separated scopes (service clients).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// The session (refresh-token family) the token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// One public key in the JWKS document (RFC 8037 OKP key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl Jwk {
    pub fn ed25519(kid: &str, x: &str) -> Self {
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: x.into(),
            kid: kid.into(),
            alg: "EdDSA".into(),
            use_: "sig".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// Cache keys of the denylist.
pub fn revoked_token_key(jti: &str) -> String {
    format!("denylist:jti:{jti}")
}

pub fn revoked_session_key(session: Uuid) -> String {
    format!("denylist:sid:{session}")
}

pub struct TokenVerifier {
    keys: RwLock<HashMap<String, DecodingKey>>,
    validation: Validation,
    cache: Arc<dyn Cache>,
    remote: Option<RemoteJwks>,
    revocations: Option<Arc<RevocationList>>,
}

struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    last_fetch: tokio::sync::Mutex<Option<std::time::Instant>>,
}

impl TokenVerifier {
    pub fn new(issuer: &str, audience: &str, cache: Arc<dyn Cache>) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            keys: RwLock::new(HashMap::new()),
            validation,
            cache,
            remote: None,
            revocations: None,
        }
    }

    /// Also refuses what the durable revocation list holds (and relies on it when the cache fails).
    pub fn with_revocations(mut self, list: Arc<RevocationList>) -> Self {
        self.revocations = Some(list);
        self
    }

    /// Fetches keys from the auth service's JWKS when a token names an unknown `kid`.
    pub fn with_remote_jwks(mut self, url: String) -> Self {
        self.remote = Some(RemoteJwks {
            url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            last_fetch: tokio::sync::Mutex::new(None),
        });
        self
    }

    /// Trusts a public key (base64url `x`) under `kid`.
    pub fn add_key(&self, jwk: &Jwk) -> anyhow::Result<()> {
        anyhow::ensure!(
            jwk.kty == "OKP" && jwk.crv == "Ed25519",
            "only Ed25519 keys are accepted"
        );
        let key = DecodingKey::from_ed_components(&jwk.x)?;
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(jwk.kid.clone(), key);
        Ok(())
    }

    fn key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(kid)
            .cloned()
    }

    async fn refresh_remote(&self) -> anyhow::Result<()> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        let mut last = remote.last_fetch.lock().await;
        // At most one fetch per 10 s, so a flood of bad `kid`s cannot hammer the auth service.
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
            return Ok(());
        }
        *last = Some(std::time::Instant::now());
        let jwks: Jwks = remote
            .client
            .get(&remote.url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        for jwk in &jwks.keys {
            self.add_key(jwk)?;
        }
        Ok(())
    }

    /// Verifies a token and returns its claims (without the denylist check).
    pub async fn decode(&self, token: &str) -> Result<AccessClaims, ApiError> {
        let invalid = || ApiError::unauthorized("invalid or expired token");
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::EdDSA {
            return Err(invalid());
        }
        let kid = header.kid.ok_or_else(invalid)?;
        let key = match self.key(&kid) {
            Some(key) => key,
            None => {
                if let Err(error) = self.refresh_remote().await {
                    tracing::warn!(error = ?error, "fetching the JWKS failed");
                }
                self.key(&kid).ok_or_else(invalid)?
            }
        };
        let data =
            jsonwebtoken::decode::<AccessClaims>(token, &key, &self.validation).map_err(|e| {
                tracing::debug!(error = %e, "token rejected");
                invalid()
            })?;
        Ok(data.claims)
    }

    /// Whether the token (or its session) was revoked: in the durable list (no I/O), else in
    /// the cache. A cache that fails leaves the answer to the list.
    pub async fn is_revoked(&self, claims: &AccessClaims) -> Result<bool, ApiError> {
        if let Some(list) = &self.revocations {
            if list.contains(&claims.jti, claims.sid) {
                return Ok(true);
            }
        }
        let mut keys = vec![revoked_token_key(&claims.jti)];
        if let Some(sid) = claims.sid {
            keys.push(revoked_session_key(sid));
        }
        match self.cache.get_many(&keys).await {
            Ok(found) => Ok(found.iter().any(Option::is_some)),
            Err(error) if self.revocations.is_some() => {
                tracing::debug!(error = %format!("{error:#}"), "denylist unreadable; the revocation list decides");
                Ok(false)
            }
            Err(error) => Err(ApiError::internal(error)),
        }
    }
}

#[async_trait::async_trait]
impl Authenticator for TokenVerifier {
    async fn authenticate(&self, bearer_token: &str) -> Result<Caller, ApiError> {
        let claims = self.decode(bearer_token).await?;
        if self.is_revoked(&claims).await? {
            return Err(ApiError::unauthorized("the token was revoked"));
        }
        caller_from(claims)
    }
}

fn caller_from(claims: AccessClaims) -> Result<Caller, ApiError> {
    let invalid = || ApiError::unauthorized("invalid token claims");
    let role: Role = claims.role.parse().map_err(|_| invalid())?;
    Ok(Caller {
        subject: claims.sub.parse().map_err(|_| invalid())?,
        role,
        dealer_id: claims.dealer_id,
        branch_id: claims.branch_id,
        email: claims.email.unwrap_or_default(),
        name: claims.name.unwrap_or_default(),
        scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
        token_id: claims.jti,
        session_id: claims.sid,
        expires_at: claims.exp,
    })
}
