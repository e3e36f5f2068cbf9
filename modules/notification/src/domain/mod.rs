//! What a notification is, independent of HTTP and the database: channels, delivery states and
//! their retry schedule, the routing of events to people, and the templates.

pub mod defaults;
pub mod digest;
pub mod preferences;
pub mod quiet_hours;
pub mod reminders;
pub mod rendering;
pub mod routing;
pub mod samples;
pub mod sealed;

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr, time::Duration};

/// How a message reaches a person.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
    /// The in-app inbox (and its live stream).
    InApp,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::InApp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::InApp => "in_app",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown channel `{s}` (email, sms or in_app)"))
    }
}

/// Where a delivery stands: queued → sent | failed → (retried) → sent | dead; or held in
/// `digest` until the daily digest email carries it (→ sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    Sent,
    /// The last attempt failed; another is scheduled.
    Failed,
    /// Out of attempts (or unsendable); an admin may resend.
    Dead,
    /// Held for the recipient's daily digest email.
    Digest,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 5] = [
        Self::Queued,
        Self::Sent,
        Self::Failed,
        Self::Dead,
        Self::Digest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Dead => "dead",
            Self::Digest => "digest",
        }
    }

    /// Whether an admin may put the delivery back in line (a held one goes with its digest).
    pub fn can_resend(self) -> bool {
        matches!(self, Self::Failed | Self::Dead | Self::Sent)
    }

    /// Whether it still waits to go out (its next attempt, or its digest, is scheduled).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Failed | Self::Digest)
    }
}

impl FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown status `{s}` (queued, sent, failed, dead or digest)"))
    }
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    Dead,
}

/// The retry schedule: exponential backoff from `base`, capped at `max`, dead after
/// `max_attempts` attempts. `attempts` counts the attempt that just failed.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: u32,
}

impl RetryPolicy {
    pub fn after_failure(&self, attempts: u32) -> AfterFailure {
        if attempts >= self.max_attempts {
            return AfterFailure::Dead;
        }
        AfterFailure::RetryIn(kernel::backoff::exponential(self.base, self.max, attempts))
    }
}

/// Payload fields that hold one-time secrets: kept in the ledger (sealed; `resetToken` only in
/// rows queued before sealing) until the message is sent, then replaced by [`REDACTED`].
pub const SECRET_FIELDS: &[&str] = &["sealedResetToken", "resetToken"];
pub const REDACTED: &str = "[redacted]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_then_die() {
        let policy = RetryPolicy {
            base: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            max_attempts: 6,
        };
        let delays: Vec<AfterFailure> = (1..=6).map(|a| policy.after_failure(a)).collect();
        assert_eq!(
            delays,
            [
                AfterFailure::RetryIn(Duration::from_millis(100)),
                AfterFailure::RetryIn(Duration::from_millis(200)),
                AfterFailure::RetryIn(Duration::from_millis(400)),
                AfterFailure::RetryIn(Duration::from_millis(800)),
                AfterFailure::RetryIn(Duration::from_millis(1000)),
                AfterFailure::Dead,
            ]
        );
    }

    #[test]
    fn names_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(channel.as_str().parse::<Channel>().unwrap(), channel);
        }
        for status in DeliveryStatus::ALL {
            assert_eq!(status.as_str().parse::<DeliveryStatus>().unwrap(), status);
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
