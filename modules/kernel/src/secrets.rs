//! Sealing one-time secrets that must cross a module boundary: XChaCha20-Poly1305 with a key
//! the sender and the receiver share from config (`secrets.notification_seal_key`).
//!
//! A sealed value is `base64url(nonce ‖ ciphertext ‖ tag)`, the nonce 24 random bytes. The
//! caller binds it to where it belongs with associated data (e.g. the event's name and id), so a
//! sealed value copied into another event does not open. Without the key, the outbox, the broker,
//! dead letters and the receiver's ledger hold nothing usable.

use crate::config::{ConfigError, Environment, Settings};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD},
    Engine,
};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// The config key of the shared sealing key.
pub const SEAL_KEY: &str = "secrets.notification_seal_key";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the sealed value is not base64url")]
    Encoding,
    #[error("the sealed value is too short")]
    Truncated,
    /// Another key, tampered bytes, or associated data of another context.
    #[error("the sealed value does not open with this key in this context")]
    Rejected,
    #[error("the opened value is not UTF-8")]
    NotText,
}

/// Seals and opens short secrets with one 32-byte key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([key hidden])")
    }
}

/// The development and test key: derived from a fixed label, so every process of a split
/// development setup shares it without configuration. Production refuses it.
fn development_key() -> [u8; KEY_LEN] {
    Sha256::digest(b"evdms development notification seal key (never in production)").into()
}

/// Reads a base64 key (standard or URL alphabet, padded or not) of exactly 32 bytes.
fn decode_key(encoded: &str) -> Result<[u8; KEY_LEN], String> {
    let encoded = encoded.trim();
    let bytes = [STANDARD.decode(encoded), URL_SAFE.decode(encoded)]
        .into_iter()
        .chain([URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('='))])
        .find_map(Result::ok)
        .ok_or_else(|| "must be base64 (e.g. `openssl rand -base64 32`)".to_owned())?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "must decode to {KEY_LEN} bytes, not {} (use `openssl rand -base64 32`)",
            bytes.len()
        )
    })
}

/// Checks the configured key: well formed wherever it is set; in production required and not
/// the development key.
pub fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let configured = settings.secrets.notification_seal_key.expose_secret();
    if configured.trim().is_empty() {
        if settings.env == Environment::Production {
            return Err(ConfigError::new(
                SEAL_KEY,
                "production needs a 32-byte base64 key shared by auth and notification (`openssl rand -base64 32`)",
            ));
        }
        return Ok(());
    }
    let key = decode_key(configured).map_err(|m| ConfigError::new(SEAL_KEY, m))?;
    if settings.env == Environment::Production && key == development_key() {
        return Err(ConfigError::new(
            SEAL_KEY,
            "the development key is refused in production",
        ));
    }
    Ok(())
}

impl Sealer {
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key)),
        }
    }

    /// The sealer of `secrets.notification_seal_key`; the development key when it is empty
    /// outside production (validation refuses that in production).
    pub fn notification(settings: &Settings) -> Result<Self, ConfigError> {
        validate(settings)?;
        let configured = settings.secrets.notification_seal_key.expose_secret();
        let key = if configured.trim().is_empty() {
            development_key()
        } else {
            decode_key(configured).map_err(|m| ConfigError::new(SEAL_KEY, m))?
        };
        Ok(Self::new(&key))
    }

    /// Seals `secret`, bound to `context` (associated data, authenticated but not encrypted).
    pub fn seal(&self, secret: &SecretString, context: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: secret.expose_secret().as_bytes(),
            aad: context,
        };
        // Encryption fails only for messages over 256 GiB; a token is a few dozen bytes.
        let ciphertext = self.cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        URL_SAFE_NO_PAD.encode(sealed)
    }

    /// Opens what [`Sealer::seal`] made with the same key and `context`.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Result<SecretString, SealError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.trim())
            .map_err(|_| SealError::Encoding)?;
        // A nonce and at least the 16-byte tag.
        if bytes.len() < NONCE_LEN + 16 {
            return Err(SealError::Truncated);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| SealError::Rejected)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SealError::NotText)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    fn sealer(byte: u8) -> Sealer {
        Sealer::new(&[byte; KEY_LEN])
    }

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_and_context() {
        let sealed = sealer(1).seal(&secret("reset-token-123"), b"event#1");
        assert!(!sealed.contains("reset-token-123"));
        let opened = sealer(1).open(&sealed, b"event#1").unwrap();
        assert_eq!(opened.expose_secret(), "reset-token-123");
        // Random nonces: sealing twice gives two different values.
        assert_ne!(
            sealed,
            sealer(1).seal(&secret("reset-token-123"), b"event#1")
        );
    }

    #[test]
    fn another_key_does_not_open_it() {
        let sealed = sealer(1).seal(&secret("t"), b"event#1");
        assert_eq!(
            sealer(2).open(&sealed, b"event#1").unwrap_err(),
            SealError::Rejected
        );
    }

    #[test]
    fn tampered_bytes_do_not_open() {
        let sealed = sealer(1).seal(&secret("token"), b"event#1");
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            sealer(1).open(&tampered, b"event#1").unwrap_err(),
            SealError::Rejected
        );
        assert_eq!(
            sealer(1).open(&sealed[..20], b"event#1").unwrap_err(),
            SealError::Truncated
        );
        assert_eq!(
            sealer(1).open("not base64!", b"event#1").unwrap_err(),
            SealError::Encoding
        );
    }

    #[test]
    fn another_context_does_not_open_it() {
        let sealed = sealer(1).seal(&secret("token"), b"event#1");
        assert_eq!(
            sealer(1).open(&sealed, b"event#2").unwrap_err(),
            SealError::Rejected
        );
    }

    fn settings(env: Environment, key: &str) -> Result<Settings, ConfigError> {
        let vars = [(
            "EVDMS__SECRETS__NOTIFICATION_SEAL_KEY".to_owned(),
            key.to_owned(),
        )];
        let vars = vars
            .into_iter()
            .chain((env == Environment::Production).then(|| {
                (
                    "EVDMS__AUTH__SIGNING_KEY_FILE".to_owned(),
                    "/run/key.pem".to_owned(),
                )
            }));
        // Production runs only from its configuration directory (the repository's here).
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"));
        Settings::load_from(env, dir, vars)
    }

    #[test]
    fn production_needs_a_real_32_byte_key() {
        let missing = settings(Environment::Production, "").unwrap_err();
        assert_eq!(missing.key, SEAL_KEY);
        let short = settings(Environment::Production, &STANDARD.encode([7u8; 16])).unwrap_err();
        assert_eq!(short.key, SEAL_KEY);
        assert!(short.message.contains("32 bytes"), "{}", short.message);
        let development =
            settings(Environment::Production, &STANDARD.encode(development_key())).unwrap_err();
        assert!(development.message.contains("development key"));
        let good = settings(Environment::Production, &STANDARD.encode([7u8; 32])).unwrap();
        let sealed = Sealer::notification(&good)
            .unwrap()
            .seal(&secret("x"), b"c");
        assert!(sealer(7).open(&sealed, b"c").is_ok());
    }

    #[test]
    fn development_uses_the_fixed_key_when_none_is_set() {
        let dev = settings(Environment::Development, "").unwrap();
        let sealed = Sealer::notification(&dev).unwrap().seal(&secret("x"), b"c");
        assert!(Sealer::new(&development_key()).open(&sealed, b"c").is_ok());
        let bad = settings(Environment::Test, "tooshort").unwrap_err();
        assert_eq!(bad.key, SEAL_KEY);
    }
}
