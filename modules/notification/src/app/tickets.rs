//! Stream tickets: browsers' EventSource cannot send an Authorization header, and an access
//! token must never sit in a URL (logs, history). A signed-in user trades their token for a
//! short-lived, single-use random ticket bound to them, and opens the stream with `?ticket=`.
//! Kept in the cache (Redis when configured, so any process redeems it) under its hash.

use base64::Engine;
use kernel::cache::Cache;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;
use uuid::Uuid;

/// Longest ticket accepted (a real one is 43 characters); longer input is refused unhashed.
const MAX_TICKET_LEN: usize = 128;

fn key(ticket: &str) -> String {
    let digest = Sha256::digest(ticket.as_bytes());
    format!("notification:stream-ticket:{}", hex(&digest))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new ticket for `user`, valid once within `ttl`.
pub async fn issue(cache: &dyn Cache, user: Uuid, ttl: Duration) -> anyhow::Result<String> {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let ticket = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    cache.set(&key(&ticket), &user.to_string(), ttl).await?;
    Ok(ticket)
}

/// The user a ticket was issued to, spending it; `None` when unknown, used or expired.
pub async fn redeem(cache: &dyn Cache, ticket: &str) -> anyhow::Result<Option<Uuid>> {
    if ticket.is_empty() || ticket.len() > MAX_TICKET_LEN {
        return Ok(None);
    }
    Ok(cache
        .take(&key(ticket))
        .await?
        .and_then(|user| user.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::cache::MemoryCache;

    #[tokio::test]
    async fn a_ticket_is_good_once_for_its_user() {
        let cache = MemoryCache::new("t:");
        let user = Uuid::now_v7();
        let ticket = issue(&cache, user, Duration::from_secs(5)).await.unwrap();
        assert_eq!(ticket.len(), 43);
        assert_eq!(redeem(&cache, &ticket).await.unwrap(), Some(user));
        assert_eq!(redeem(&cache, &ticket).await.unwrap(), None, "used");
        assert_eq!(redeem(&cache, "forged").await.unwrap(), None);
        let short = issue(&cache, user, Duration::from_millis(20))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(redeem(&cache, &short).await.unwrap(), None, "expired");
    }
}
