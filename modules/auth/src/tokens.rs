//! Issuing access tokens (EdDSA JWT) and opaque refresh tokens.

use crate::keys::{hmac_sha256, Keys, SuccessorKey};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, Header};
use kernel::{config::AuthSettings, secrets::Sealer, tokens::AccessClaims};
use secrecy::{ExposeSecret, SecretString};
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

/// The per-token sealer of `previous`'s successor: keyed by HMAC(server key, previous raw
/// token), so opening needs both the plaintext previous token (which only clients ever held;
/// the database keeps its SHA-256) and the server key.
fn successor_sealer(key: &SuccessorKey, previous_raw: &str) -> anyhow::Result<Sealer> {
    Ok(Sealer::new(&hmac_sha256(&key.0, previous_raw.as_bytes())?))
}

/// Seals refresh token `successor_raw`, the successor of `previous_raw` (row `previous_id`,
/// bound as associated data so a sealed value moved to another row does not open).
pub fn seal_successor(
    key: &SuccessorKey,
    previous_raw: &str,
    previous_id: Uuid,
    successor_raw: &str,
) -> anyhow::Result<String> {
    let secret = SecretString::from(successor_raw.to_owned());
    Ok(successor_sealer(key, previous_raw)?.seal(&secret, previous_id.as_bytes()))
}

/// Opens what [`seal_successor`] sealed; `None` when it does not open (another key, another
/// token, tampered).
pub fn open_successor(
    key: &SuccessorKey,
    previous_raw: &str,
    previous_id: Uuid,
    sealed: &str,
) -> anyhow::Result<Option<String>> {
    Ok(successor_sealer(key, previous_raw)?
        .open(sealed, previous_id.as_bytes())
        .ok()
        .map(|s| s.expose_secret().to_owned()))
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

    #[test]
    fn a_successor_opens_only_with_its_previous_token_and_row() {
        let key = SuccessorKey([9; 32]);
        let (previous, _) = new_secret();
        let (next, _) = new_secret();
        let row = Uuid::now_v7();
        let sealed = seal_successor(&key, &previous, row, &next).unwrap();
        assert!(!sealed.contains(&next));
        assert_eq!(
            open_successor(&key, &previous, row, &sealed).unwrap(),
            Some(next)
        );
        let (other, _) = new_secret();
        assert_eq!(open_successor(&key, &other, row, &sealed).unwrap(), None);
        let elsewhere = Uuid::now_v7();
        assert_eq!(
            open_successor(&key, &previous, elsewhere, &sealed).unwrap(),
            None
        );
        let other_key = SuccessorKey([8; 32]);
        assert_eq!(
            open_successor(&other_key, &previous, row, &sealed).unwrap(),
            None
        );
    }
}
