//! The Ed25519 signing key and the public keys published in the JWKS.
//!
//! Production loads `auth.signing_key_file` (PKCS#8 PEM, e.g. `openssl genpkey -algorithm
//! ed25519`) and refuses to start without it; development generates one into the data dir on
//! first run. `auth.verification_key_files` publishes older keys during a rotation.

use anyhow::Context;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{
    pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, DecodePublicKey, EncodePrivateKey},
    SigningKey, VerifyingKey,
};
use jsonwebtoken::EncodingKey;
use kernel::{
    config::{Environment, Settings},
    tokens::{Jwk, Jwks},
};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct Keys {
    pub signing: EncodingKey,
    pub signing_kid: String,
    pub jwks: Jwks,
    /// Seals a rotated refresh token's successor (see [`crate::tokens::seal_successor`]).
    pub successor: SuccessorKey,
}

/// A server secret for sealing refresh-token successors, derived from the signing key
/// (HMAC-SHA256 under a fixed label), so every auth process that can sign has it and nothing
/// else needs configuring; rotating the signing key only ends the grace of tokens in flight.
pub struct SuccessorKey(pub(crate) [u8; 32]);

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> anyhow::Result<[u8; 32]> {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key)
        .map_err(|e| anyhow::anyhow!("HMAC key: {e}"))?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

impl SuccessorKey {
    fn derive(signing: &SigningKey) -> anyhow::Result<Self> {
        hmac_sha256(&signing.to_bytes(), b"evdms refresh-token successor key v1").map(Self)
    }
}

impl std::fmt::Debug for SuccessorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SuccessorKey([hidden])")
    }
}

/// RFC 7638 thumbprint of an Ed25519 public key, used as its `kid`.
pub fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn public_jwk(key: &VerifyingKey) -> Jwk {
    let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
    Jwk::ed25519(&thumbprint(&x), &x)
}

impl Keys {
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        let configured = settings.auth.signing_key_file.trim();
        let (pem, path) = if !configured.is_empty() {
            let path = PathBuf::from(configured);
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("reading auth.signing_key_file {}", path.display()))?;
            (pem, path)
        } else {
            anyhow::ensure!(
                settings.env != Environment::Production,
                "invalid configuration `auth.signing_key_file`: production needs a signing key"
            );
            let path = settings.data.dir.join("jwt_ed25519.pem");
            if path.exists() {
                (
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?,
                    path,
                )
            } else {
                let pem = generate_pem()?;
                std::fs::create_dir_all(&settings.data.dir).context("creating the data dir")?;
                std::fs::write(&path, &pem)
                    .with_context(|| format!("writing {}", path.display()))?;
                restrict_permissions(&path);
                tracing::warn!(path = %path.display(), "generated a development signing key");
                (pem, path)
            }
        };
        let signing_key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
            anyhow::anyhow!("{} is not an Ed25519 PKCS#8 PEM key: {e}", path.display())
        })?;
        let signing =
            EncodingKey::from_ed_pem(pem.as_bytes()).context("loading the signing key")?;
        let current = public_jwk(&signing_key.verifying_key());
        let mut jwks = Jwks {
            keys: vec![current.clone()],
        };
        for extra in &settings.auth.verification_key_files {
            let text = std::fs::read_to_string(extra)
                .with_context(|| format!("reading auth.verification_key_files entry {extra}"))?;
            let key = VerifyingKey::from_public_key_pem(&text)
                .or_else(|_| SigningKey::from_pkcs8_pem(&text).map(|k| k.verifying_key()))
                .map_err(|e| anyhow::anyhow!("{extra} is not an Ed25519 key: {e}"))?;
            let jwk = public_jwk(&key);
            if !jwks.keys.iter().any(|k| k.kid == jwk.kid) {
                jwks.keys.push(jwk);
            }
        }
        Ok(Self {
            signing,
            signing_kid: current.kid,
            jwks,
            successor: SuccessorKey::derive(&signing_key)?,
        })
    }
}

fn generate_pem() -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
    let key = SigningKey::from_bytes(&seed);
    Ok(key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding key: {e}"))?
        .to_string())
}

#[cfg(unix)]
fn restrict_permissions(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(error) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(error = %error, "could not restrict the key file's permissions");
    }
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &std::path::Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_8037_example() {
        // RFC 8037 Appendix A.3.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
