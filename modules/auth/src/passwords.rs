//! Password hashing (argon2id, OWASP parameters: 19 MiB, 2 passes, 1 lane) off the async
//! runtime with bounded concurrency, and the password policy.

use anyhow::Context;
use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use kernel::error::FieldError;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::Semaphore;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

/// Hashes and verifies passwords; at most one hash per core runs at a time so a login burst
/// queues instead of starving every other request of CPU.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password: verifying against it makes an unknown email cost the
    /// same time as a wrong password.
    dummy_hash: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: argon2id, m = 19456 KiB, t = 2, p = 1.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &SecretString) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &SecretString, hash: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    Ok(argon2()
        .verify_password(password.expose_secret().as_bytes(), &parsed)
        .is_ok())
}

impl PasswordHasher {
    pub async fn new() -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let random: String = {
            let mut bytes = [0u8; 24];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let dummy = tokio::task::spawn_blocking(move || hash_blocking(&SecretString::from(random)))
            .await
            .context("hashing task")??;
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: Arc::new(dummy),
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .context("hashing task")?
    }

    /// Verifies against `hash`, or against the dummy hash when there is no user.
    #[tracing::instrument(skip_all)]
    pub async fn verify(
        &self,
        password: SecretString,
        hash: Option<String>,
    ) -> anyhow::Result<bool> {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let matches = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
            .await
            .context("hashing task")??;
        Ok(real && matches)
    }
}

/// Small list of the most common passwords (and ones people pick for this product).
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword123",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "qwerty12345",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "abc123",
    "abcdefghij",
    "iloveyou",
    "welcome1",
    "welcome123",
    "admin",
    "admin123",
    "administrator",
    "letmein",
    "letmein123",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
    "superman",
    "starwars",
    "whatever",
    "changeme",
    "changeme123",
    "changeme-123",
    "secret123",
    "default123",
    "evdms",
    "evdms123",
    "evdms12345",
    "dealer123",
    "dealership",
    "tesla12345",
    "electric123",
    "vehicle123",
    "0000000000",
    "1111111111",
    "aaaaaaaaaa",
    "zaq12wsxcde",
    "asdfghjkl",
    "asdfghjkl1",
    "passwordpassword",
    "iloveyou123",
];

/// The password policy. Returns every violated rule as a field error on `field`. `published`
/// lists passwords known to the public besides the common ones (the demo accounts' password):
/// never acceptable for a real account, in any environment.
pub fn check_policy(
    field: &str,
    password: &str,
    email: &str,
    published: &[&str],
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if published
        .iter()
        .any(|p| !p.is_empty() && p.to_lowercase() == password.to_lowercase())
    {
        errors.push(FieldError::new(
            field,
            "is the published development password; choose your own",
        ));
    }
    let length = password.chars().count();
    if length < MIN_LENGTH {
        errors.push(FieldError::new(
            field,
            format!("must have at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        errors.push(FieldError::new(
            field,
            format!("must have at most {MAX_LENGTH} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lower == email || (local.len() >= 3 && lower.contains(local))) {
        errors.push(FieldError::new(field, "must not contain the email address"));
    }
    if COMMON.contains(&lower.as_str()) {
        errors.push(FieldError::new(field, "is too common"));
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if length >= MIN_LENGTH && distinct.len() < 4 {
        errors.push(FieldError::new(field, "needs more variety"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_common_and_email_like_passwords() {
        assert!(check_policy("password", "ChangeMe-123!", "admin@evdms.dev", &[]).is_ok());
        for published in ["ChangeMe-123!", "changeme-123!"] {
            let errors =
                check_policy("password", published, "a@b.c", &["ChangeMe-123!"]).unwrap_err();
            assert!(errors[0].message.contains("published"), "{errors:?}");
        }
        assert!(check_policy(
            "password",
            "Own-choice-2026",
            "a@b.c",
            &["ChangeMe-123!", ""]
        )
        .is_ok());
        assert!(check_policy("password", "short1!", "a@b.c", &[]).is_err());
        assert!(
            check_policy("password", "Password123", "a@b.c", &[]).is_err(),
            "common, case-insensitive"
        );
        assert!(
            check_policy("password", "jane.doe-secure-1", "jane.doe@example.com", &[]).is_err()
        );
        assert!(check_policy("password", "aaaaaaaaaaaa", "x@y.z", &[]).is_err());
        assert!(check_policy("password", &"x1!".repeat(50), "x@y.z", &[]).is_err());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let hasher = PasswordHasher::new().await.unwrap();
        let hash = hasher
            .hash(SecretString::from("correct horse 42"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher
            .verify(SecretString::from("correct horse 42"), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("wrong"), Some(hash))
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("anything"), None)
            .await
            .unwrap());
    }
}
