//! Login throttling that protects accounts without letting anyone lock them (OWASP "Blocking
//! Brute Force Attacks"): no hard lockout, but exponential delays keyed where the guessing is.
//!
//! - An account+address pair gets `login_free_failures_per_account_address` failures; each
//!   further one makes that pair wait (base, 2× base, … up to the maximum) before its next try.
//!   A correct password from another address is not affected: an attacker cannot lock the owner.
//! - An address gets `login_free_failures_per_address` failures over all accounts (spraying one
//!   password at many accounts); then each further one delays the address, except for accounts
//!   that signed in successfully from it before (a known device, so a shared NAT stays usable).
//! - An account failing from everywhere (`login_account_attack_failures`, a distributed guess)
//!   delays every failing address for that account from its first failure; addresses that are
//!   not failing for it are still never delayed.
//!
//! Unknown emails are counted in one of [`UNKNOWN_BUCKETS`] shared buckets, never per email, so
//! guessing at made-up addresses cannot grow the cache without bound; they cost the same cache
//! round trips as a known account. Every counter expires (`login_failure_window_secs`), every
//! delay with its wait. All state goes through the [`Cache`] trait (Redis or in-process).

use crate::domain::{AuthError, AuthResult};
use kernel::{cache::Cache, config::AuthSettings};
use sha2::{Digest, Sha256};
use std::time::Duration;
use uuid::Uuid;

/// How many shared buckets the failures of unknown emails fall into.
pub const UNKNOWN_BUCKETS: u8 = 64;

/// Whom a sign-in is for, as the throttle counts it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Account {
    Known(Uuid),
    /// An email with no account: only its bucket is counted.
    Unknown {
        bucket: u8,
    },
}

impl Account {
    /// `user` when the email belongs to an account, else the unknown email's bucket.
    pub fn of(user: Option<Uuid>, email: &str) -> Self {
        match user {
            Some(id) => Self::Known(id),
            None => {
                let digest = Sha256::digest(format!("evdms login bucket\0{email}").as_bytes());
                Self::Unknown {
                    bucket: digest.first().copied().unwrap_or(0) % UNKNOWN_BUCKETS,
                }
            }
        }
    }

    fn tag(&self) -> String {
        match self {
            Self::Known(id) => id.simple().to_string(),
            Self::Unknown { bucket } => format!("unknown-{bucket}"),
        }
    }
}

pub struct LoginThrottle<'a> {
    pub cache: &'a dyn Cache,
    pub settings: &'a AuthSettings,
}

/// The cache keys of one attempt.
struct Keys {
    account_failures: String,
    pair_failures: String,
    pair_wait: String,
    address_failures: String,
    address_wait: String,
    known_device: String,
}

impl Keys {
    fn new(account: &Account, ip: Option<&str>) -> Self {
        let account = account.tag();
        // Without a peer address (never over TCP) all such attempts share one.
        let ip = ip.unwrap_or("-");
        Self {
            account_failures: format!("login:fail:account:{account}"),
            pair_failures: format!("login:fail:pair:{account}:{ip}"),
            pair_wait: format!("login:wait:pair:{account}:{ip}"),
            address_failures: format!("login:fail:ip:{ip}"),
            address_wait: format!("login:wait:ip:{ip}"),
            known_device: format!("login:ok:{account}:{ip}"),
        }
    }
}

/// The wait after the `failures`-th failure when `free` are allowed: none within the allowance,
/// then base × 2^(failures − free − 1), at most `max`.
pub fn delay_after(failures: u64, free: u64, base_secs: u64, max_secs: u64) -> Option<Duration> {
    let over = failures.checked_sub(free).filter(|n| *n > 0)?;
    let doubling = u32::try_from(over - 1).unwrap_or(u32::MAX).min(32);
    let secs = base_secs.saturating_mul(1u64 << doubling).min(max_secs);
    Some(Duration::from_secs(secs.max(1)))
}

fn throttled(left: Duration) -> AuthError {
    // Whole seconds, rounded up: retrying at Retry-After must not land inside the wait.
    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    AuthError::Throttled {
        retry_after_secs: secs.max(1),
    }
}

impl LoginThrottle<'_> {
    fn window(&self) -> Duration {
        Duration::from_secs(self.settings.login_failure_window_secs.max(1))
    }

    fn delay(&self, failures: u64, free: u64) -> Option<Duration> {
        delay_after(
            failures,
            free,
            self.settings.login_delay_base_secs,
            self.settings.login_delay_max_secs,
        )
    }

    /// Stores a throttle marker. Throttling is best effort: while the cache is down, logins go
    /// on unthrottled rather than failing (the cache counts and logs the error, see
    /// `kernel::cache::FailOpen`, whose reads and counters already fail open).
    async fn mark(&self, key: &str, ttl: Duration) {
        if let Err(error) = self.cache.set(key, "1", ttl).await {
            tracing::debug!(%error, "login throttle marker not stored");
        }
    }

    /// 429 while this account+address pair, or this address, is waiting out a delay.
    pub async fn check(&self, account: &Account, ip: Option<&str>) -> AuthResult<()> {
        let keys = Keys::new(account, ip);
        let (_, left) = self.cache.count(&keys.pair_wait).await?;
        if !left.is_zero() {
            return Err(throttled(left));
        }
        let (_, left) = self.cache.count(&keys.address_wait).await?;
        if !left.is_zero() && self.cache.get(&keys.known_device).await?.is_none() {
            return Err(throttled(left));
        }
        Ok(())
    }

    /// Counts a failure and starts the delays it earns.
    pub async fn failed(&self, account: &Account, ip: Option<&str>) -> AuthResult<()> {
        let keys = Keys::new(account, ip);
        let window = self.window();
        let (account_failures, _) = self.cache.increment(&keys.account_failures, window).await?;
        let under_attack = account_failures > self.settings.login_account_attack_failures;
        let (pair_failures, _) = self.cache.increment(&keys.pair_failures, window).await?;
        let free = if under_attack {
            0
        } else {
            self.settings.login_free_failures_per_account_address
        };
        if let Some(wait) = self.delay(pair_failures, free) {
            self.mark(&keys.pair_wait, wait).await;
        }
        let (address_failures, _) = self.cache.increment(&keys.address_failures, window).await?;
        let free = self.settings.login_free_failures_per_address;
        if let Some(wait) = self.delay(address_failures, free) {
            self.mark(&keys.address_wait, wait).await;
        }
        Ok(())
    }

    /// A correct password clears the pair's failures and remembers the address as a known
    /// device of the account (it then passes a delayed address). The address's and the
    /// account's own counters only expire: a success of one account must not reset guessing
    /// at others.
    pub async fn succeeded(&self, account: &Account, ip: Option<&str>) -> AuthResult<()> {
        let keys = Keys::new(account, ip);
        self.cache.delete(&keys.pair_failures).await?;
        self.cache.delete(&keys.pair_wait).await?;
        let remember = Duration::from_secs(self.settings.refresh_token_ttl_secs.max(1));
        self.mark(&keys.known_device, remember).await;
        Ok(())
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
