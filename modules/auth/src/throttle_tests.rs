use super::*;
use kernel::cache::MemoryCache;
use std::{collections::HashSet, sync::Mutex};

/// The in-process cache, recording every key written.
struct Recording {
    inner: MemoryCache,
    written: Mutex<HashSet<String>>,
}

impl Recording {
    fn new() -> Self {
        Self {
            inner: MemoryCache::new(""),
            written: Mutex::new(HashSet::new()),
        }
    }

    fn note(&self, key: &str) {
        self.written.lock().unwrap().insert(key.to_owned());
    }

    fn keys(&self) -> usize {
        self.written.lock().unwrap().len()
    }
}

#[async_trait::async_trait]
impl Cache for Recording {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        self.note(key);
        self.inner.set(key, value, ttl).await
    }
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        self.inner.get_many(keys).await
    }
    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.inner.delete(key).await
    }
    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        self.inner.take(key).await
    }
    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        self.note(key);
        self.inner.increment(key, window).await
    }
    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        self.inner.count(key).await
    }
    fn backend(&self) -> &'static str {
        "recording"
    }
    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

fn settings() -> AuthSettings {
    AuthSettings {
        issuer: "evdms".into(),
        audience: "evdms-api".into(),
        access_token_ttl_secs: 900,
        refresh_token_ttl_secs: 3600,
        refresh_reuse_grace_secs: 30,
        signing_key_file: String::new(),
        verification_key_files: Vec::new(),
        login_free_failures_per_account_address: 3,
        login_free_failures_per_address: 10,
        login_account_attack_failures: 6,
        login_delay_base_secs: 1,
        login_delay_max_secs: 300,
        login_failure_window_secs: 3600,
        password_reset_ttl_secs: 3600,
        revocation_refresh_ms: 1000,
    }
}

#[test]
fn delays_double_after_the_free_failures_and_stop_at_the_maximum() {
    let delays: Vec<Option<u64>> = (1..=8)
        .map(|n| delay_after(n, 3, 1, 10).map(|d| d.as_secs()))
        .collect();
    assert_eq!(
        delays,
        [
            None,
            None,
            None,
            Some(1),
            Some(2),
            Some(4),
            Some(8),
            Some(10)
        ]
    );
    assert_eq!(
        delay_after(u64::MAX, 0, 5, 900),
        Some(Duration::from_secs(900))
    );
    assert_eq!(delay_after(1, 0, 2, 900), Some(Duration::from_secs(2)));
}

#[test]
fn unknown_emails_fall_into_a_bounded_set_of_buckets() {
    let buckets: HashSet<Account> = (0..5_000)
        .map(|i| Account::of(None, &format!("nobody-{i}@example.com")))
        .collect();
    assert!(buckets.len() <= usize::from(UNKNOWN_BUCKETS));
    assert!(buckets.len() > 32, "spread over the buckets");
    assert_eq!(
        Account::of(None, "a@b.example"),
        Account::of(None, "a@b.example"),
        "stable across calls and processes"
    );
}

#[tokio::test]
async fn guessing_at_unknown_emails_writes_a_bounded_number_of_keys() {
    let cache = Recording::new();
    let settings = AuthSettings {
        login_free_failures_per_address: u64::MAX,
        ..settings()
    };
    let throttle = LoginThrottle {
        cache: &cache,
        settings: &settings,
    };
    for i in 0..3_000 {
        let account = Account::of(None, &format!("guess-{i}@example.com"));
        throttle
            .failed(&account, Some("203.0.113.9"))
            .await
            .unwrap();
    }
    // Per bucket: an account counter, a pair counter and a pair wait; one address counter.
    let bound = 3 * usize::from(UNKNOWN_BUCKETS) + 1;
    assert!(cache.keys() <= bound, "{} keys", cache.keys());
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_the_owner_out() {
    let cache = Recording::new();
    let settings = settings();
    let throttle = LoginThrottle {
        cache: &cache,
        settings: &settings,
    };
    let owner = Account::Known(Uuid::now_v7());
    let (attacker, home) = (Some("198.51.100.7"), Some("192.0.2.1"));
    for _ in 0..50 {
        throttle.failed(&owner, attacker).await.unwrap();
    }
    assert!(matches!(
        throttle.check(&owner, attacker).await,
        Err(AuthError::Throttled { .. })
    ));
    throttle.check(&owner, home).await.unwrap();
    throttle.check(&owner, Some("192.0.2.99")).await.unwrap();

    // Under a distributed attack a fresh failing address waits after its first failure.
    let fresh = Some("198.51.100.8");
    throttle.failed(&owner, fresh).await.unwrap();
    assert!(throttle.check(&owner, fresh).await.is_err());
    throttle.check(&owner, home).await.unwrap();
}

#[tokio::test]
async fn a_sprayed_address_waits_except_for_its_known_accounts() {
    let cache = Recording::new();
    let settings = settings();
    let throttle = LoginThrottle {
        cache: &cache,
        settings: &settings,
    };
    let office = Some("203.0.113.50");
    let colleague = Account::Known(Uuid::now_v7());
    throttle.succeeded(&colleague, office).await.unwrap();
    for _ in 0..11 {
        let victim = Account::Known(Uuid::now_v7());
        throttle.failed(&victim, office).await.unwrap();
    }
    let stranger = Account::Known(Uuid::now_v7());
    assert!(throttle.check(&stranger, office).await.is_err());
    throttle.check(&colleague, office).await.unwrap();
}
