//! Refresh-token rotation with reuse detection and a grace window for concurrent clients.
//!
//! Every use rotates the token; a compare-and-swap on the token row lets exactly one of racing
//! requests rotate it. The winner keeps the successor on the old row, sealed (never in
//! plaintext: XChaCha20-Poly1305 under HMAC(server key, old plaintext token), bound to the
//! row), so a request that lost the race, or a retry after a timeout, presenting the
//! immediately previous token within `auth.refresh_reuse_grace_secs` gets the SAME refresh
//! token back with an access token for the same session. Later, or with an older token, it is
//! reuse: the whole family (session) is revoked.

use super::{
    sessions::{issue_pair, pair_for, Origin, Tokens},
    Services,
};
use crate::{
    domain::{
        refresh::{classify_reuse, Reuse},
        AuthError, AuthResult,
    },
    store::{audit, refresh_tokens, sessions, users},
    tokens::{hash_secret, new_secret, open_successor, seal_successor},
};
use kernel::WriteTxn;

/// Rotates a refresh token. Of two requests with one token, exactly one rotates it and, within
/// the grace window, both get the same new pair; presenting a rotated token otherwise revokes
/// its whole session (the token family) and is audited.
pub async fn refresh(
    services: &Services,
    refresh_token: &str,
    origin: Origin,
) -> AuthResult<Tokens> {
    let rejected = AuthError::invalid_refresh_token;
    let hash = hash_secret(refresh_token);
    let txn = services.db.begin().await?;
    let token = refresh_tokens::find_by_hash(&*txn, &hash)
        .await?
        .ok_or_else(rejected)?;
    let session = sessions::find(&*txn, token.session_id)
        .await?
        .ok_or_else(rejected)?;
    let now = chrono::Utc::now();
    // The successor exists before the compare-and-swap, so the winner keeps it sealed in the
    // same conditional update that decides the race.
    let successor = new_secret();
    let sealed = if services.settings.auth.refresh_reuse_grace_secs > 0 {
        Some(seal_successor(
            &services.keys.successor,
            refresh_token,
            token.id,
            &successor.0,
        )?)
    } else {
        None
    };
    let fresh =
        token.used_at.is_none() && refresh_tokens::mark_used(&*txn, token.id, sealed).await?;
    if !fresh {
        // Read again: a racing winner has committed by now (its update held the row).
        let current = refresh_tokens::find(&*txn, token.id)
            .await?
            .unwrap_or(token);
        return reused(services, txn, current, session, refresh_token, origin).await;
    }
    // Rejected without committing: the token stays unused.
    if !session.is_active(now) || token.expires_at <= now {
        return Err(rejected());
    }
    let user = users::find(&*txn, session.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(rejected)?;
    // Only the immediately previous token may be replayed: older ones forget their successor.
    refresh_tokens::forget_successors(&*txn, session.id, Some(token.id)).await?;
    let session = sessions::touch(&*txn, session, now).await?;
    let tokens = issue_pair(services, &txn, user, &session, successor).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// A rotated token came back: the same new pair within the grace window, else the family ends.
async fn reused(
    services: &Services,
    txn: WriteTxn,
    token: refresh_tokens::Model,
    session: sessions::Model,
    presented: &str,
    origin: Origin,
) -> AuthResult<Tokens> {
    let rejected = AuthError::invalid_refresh_token;
    let now = chrono::Utc::now();
    let grace = services.settings.auth.refresh_reuse_grace_secs;
    let verdict = classify_reuse(token.used_at, now, grace, token.successor_sealed.is_some());
    if verdict == Reuse::Replay {
        if !session.is_active(now) {
            return Err(rejected());
        }
        let sealed = token.successor_sealed.as_deref().unwrap_or_default();
        // Within the grace a successor that does not open (the signing key rotated meanwhile)
        // is no sign of theft: refuse without ending the session.
        let successor = open_successor(&services.keys.successor, presented, token.id, sealed)?
            .ok_or_else(rejected)?;
        let current = refresh_tokens::find_by_hash(&*txn, &hash_secret(&successor))
            .await?
            .filter(|t| t.session_id == session.id && t.used_at.is_none() && t.expires_at > now)
            .ok_or_else(rejected)?;
        let user = users::find(&*txn, session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(rejected)?;
        // Nothing written: the dropped transaction rolls back.
        return pair_for(services, user, &session, successor, current.expires_at);
    }
    // Reuse of a rotated token: assume theft and end the whole family.
    if session.revoked_at.is_none() {
        services
            .revoke_sessions(&*txn, &[session.id], "refresh_token_reuse")
            .await?;
    }
    refresh_tokens::forget_successors(&*txn, session.id, None).await?;
    let record = audit::Record {
        user_id: Some(session.user_id),
        ip: origin.ip,
        detail: Some(format!("session {}", session.id)),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::RefreshReused, record).await?;
    txn.commit().await?;
    Err(rejected())
}
