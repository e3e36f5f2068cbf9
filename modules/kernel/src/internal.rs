//! The key the processes of one deployment share to authenticate internal calls between them
//! (`secrets.internal_key`; today the revocation feed). Sent in [`HEADER`], compared by digest.

use crate::config::{ConfigError, Environment, Settings};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

/// The request header that carries the key.
pub const HEADER: &str = "x-evdms-internal-key";
/// The config key.
pub const CONFIG_KEY: &str = "secrets.internal_key";
/// Used when the key is empty outside production, so a split development setup needs no
/// configuration. Production refuses it.
const DEVELOPMENT_KEY: &str = "evdms-development-internal-key (never in production)";
const MIN_LEN: usize = 16;

/// The configured key; the development key when it is empty outside production; `None` in
/// production without one (internal endpoints are closed then).
pub fn key(settings: &Settings) -> Option<String> {
    let configured = settings.secrets.internal_key.expose_secret().trim();
    match (configured.is_empty(), settings.env) {
        (false, _) => Some(configured.to_owned()),
        (true, Environment::Production) => None,
        (true, _) => Some(DEVELOPMENT_KEY.to_owned()),
    }
}

/// Whether `offered` is the key (digests compared in constant time).
pub fn matches(expected: &str, offered: &str) -> bool {
    let (a, b) = (Sha256::digest(expected), Sha256::digest(offered));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Set keys are long enough, and production never uses the development one.
pub fn validate(settings: &Settings) -> Result<(), ConfigError> {
    let configured = settings.secrets.internal_key.expose_secret().trim();
    if configured.is_empty() {
        return Ok(());
    }
    if configured.len() < MIN_LEN {
        return Err(ConfigError::new(
            CONFIG_KEY,
            format!("must be at least {MIN_LEN} characters (`openssl rand -base64 32`)"),
        ));
    }
    if settings.env == Environment::Production && configured == DEVELOPMENT_KEY {
        return Err(ConfigError::new(
            CONFIG_KEY,
            "the development key is refused in production",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_key_matches() {
        assert!(matches(
            "a-long-shared-internal-key",
            "a-long-shared-internal-key"
        ));
        assert!(!matches(
            "a-long-shared-internal-key",
            "a-long-shared-internal-kez"
        ));
        assert!(!matches("a-long-shared-internal-key", ""));
    }
}
