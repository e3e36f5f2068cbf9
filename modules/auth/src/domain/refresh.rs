//! What presenting a refresh token that was already rotated means.
//!
//! Two clients of one session (tabs, a retry after a timeout) may present the same token at
//! once; only one rotates it. Within the grace window the other gets the same new pair, as
//! Okta's rotation grace period and Auth0's reuse interval do. Later, or with an older token
//! (whose successor was itself rotated, so none is kept), it is reuse: assume theft.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// The immediately previous token, within the grace window: answer with its successor.
    Replay,
    /// Reuse of a rotated token: revoke the whole family.
    Theft,
}

/// `used_at`: when the presented token was rotated; `successor_kept`: whether its successor is
/// still the session's newest token (it is wiped when that one rotates in turn).
pub fn classify_reuse(
    used_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    grace_secs: u64,
    successor_kept: bool,
) -> Reuse {
    let grace = chrono::Duration::seconds(i64::try_from(grace_secs).unwrap_or(i64::MAX));
    match used_at {
        Some(used) if successor_kept && grace_secs > 0 && now - used <= grace => Reuse::Replay,
        _ => Reuse::Theft,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_previous_token_within_the_grace_is_replayed() {
        let now = Utc::now();
        let ago = |s| Some(now - chrono::Duration::seconds(s));
        assert_eq!(classify_reuse(ago(0), now, 30, true), Reuse::Replay);
        assert_eq!(classify_reuse(ago(30), now, 30, true), Reuse::Replay);
        assert_eq!(classify_reuse(ago(31), now, 30, true), Reuse::Theft);
        assert_eq!(
            classify_reuse(ago(1), now, 30, false),
            Reuse::Theft,
            "an older token"
        );
        assert_eq!(
            classify_reuse(ago(0), now, 0, true),
            Reuse::Theft,
            "no grace"
        );
        assert_eq!(classify_reuse(None, now, 30, true), Reuse::Theft);
    }
}
