//! Issuing access tokens (EdDSA JWT) and opaque refresh tokens.

use crate::keys::Keys;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, Header};
use kernel::{config::AuthSettings, tokens::AccessClaims};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Who a token is for.
pub struct Subject<'a> {
    pub id: Uuid,
    pub role: &'a str,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub email: Option<&'a str>,
    pub name: &'a str,
    pub scopes: &'a [String],
    pub session: Option<Uuid>,
}

/// Signs an access token; returns it with its claims.
pub fn sign_access_token(
    keys: &Keys,
    settings: &AuthSettings,
    subject: Subject<'_>,
) -> anyhow::Result<(String, AccessClaims)> {
    let now = chrono::Utc::now().timestamp();
    let ttl = i64::try_from(settings.access_token_ttl_secs).unwrap_or(900);
    let claims = AccessClaims {
        sub: subject.id.to_string(),
        role: subject.role.to_owned(),
        dealer_id: subject.dealer_id,
        branch_id: subject.branch_id,
        email: subject.email.map(str::to_owned),
        name: Some(subject.name.to_owned()),
        scope: subject.scopes.join(" "),
        sid: subject.session,
        jti: Uuid::now_v7().to_string(),
        iat: now,
        nbf: now,
        exp: now + ttl,
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.signing_kid.clone());
    let token = jsonwebtoken::encode(&header, &claims, &keys.signing)?;
    Ok((token, claims))
}

/// A new 256-bit opaque secret (for refresh tokens, reset tokens, client secrets) and its hash.
pub fn new_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let raw = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_secret(&raw);
    (raw, hash)
}

/// SHA-256 (hex) of a high-entropy secret: what the database stores instead of the secret.
pub fn hash_secret(raw: &str) -> String {
    Sha256::digest(raw.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_256_bit_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_secret();
        let (b, _) = new_secret();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(hash_a.len(), 64);
        assert_eq!(hash_secret(&a), hash_a);
        assert!(!hash_a.contains(&a));
    }
}
