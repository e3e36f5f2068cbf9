//! The in-process cache (the embedded default).

use super::Cache;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Default)]
struct Entry {
    value: String,
    expires: Option<Instant>,
}

/// Process-local cache with lazy expiry (and a sweep when it grows).
pub struct MemoryCache {
    prefix: String,
    entries: Mutex<HashMap<String, Entry>>,
}

impl MemoryCache {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > 10_000 {
            let now = Instant::now();
            entries.retain(|_, e| e.expires.is_none_or(|t| t > now));
        }
        f(&mut entries)
    }

    fn live<'a>(entries: &'a HashMap<String, Entry>, key: &str) -> Option<&'a Entry> {
        entries
            .get(key)
            .filter(|e| e.expires.is_none_or(|t| t > Instant::now()))
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let key = format!("{}{key}", self.prefix);
        self.with(|e| {
            e.insert(
                key,
                Entry {
                    value: value.to_owned(),
                    expires: Some(Instant::now() + ttl),
                },
            )
        });
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| Self::live(e, &key).map(|entry| entry.value.clone())))
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<String>>> {
        Ok(self.with(|e| {
            keys.iter()
                .map(|k| {
                    Self::live(e, &format!("{}{k}", self.prefix)).map(|entry| entry.value.clone())
                })
                .collect()
        }))
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let key = format!("{}{key}", self.prefix);
        self.with(|e| e.remove(&key));
        Ok(())
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| {
            let live = Self::live(e, &key).is_some();
            e.remove(&key).filter(|_| live).map(|entry| entry.value)
        }))
    }

    async fn increment(&self, key: &str, window: Duration) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|entries| {
            let now = Instant::now();
            let entry = entries.entry(key).or_default();
            if entry.expires.is_none_or(|t| t <= now) {
                *entry = Entry {
                    value: "0".to_owned(),
                    expires: Some(now + window),
                };
            }
            let count = entry.value.parse::<u64>().unwrap_or(0) + 1;
            entry.value = count.to_string();
            (
                count,
                entry
                    .expires
                    .map(|t| t.saturating_duration_since(now))
                    .unwrap_or_default(),
            )
        }))
    }

    async fn count(&self, key: &str) -> anyhow::Result<(u64, Duration)> {
        let key = format!("{}{key}", self.prefix);
        Ok(self.with(|e| match Self::live(e, &key) {
            Some(entry) => (
                entry.value.parse().unwrap_or(0),
                entry
                    .expires
                    .map(|t| t.saturating_duration_since(Instant::now()))
                    .unwrap_or_default(),
            ),
            None => (0, Duration::ZERO),
        }))
    }

    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }
}
