//! Whether and when a message goes out, decided as its ledger row is written: the user's
//! preferences (a channel turned off writes no row; a digest category holds the email for the
//! daily digest) and SMS quiet hours (the row waits for the window's end). Customers have no
//! preferences here: their consent flags decide, before this.

use super::{quiet_hours, Notifications};
use crate::domain::{
    digest,
    preferences::{Choices, Plan},
    Channel,
};
use crate::store::preferences;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// How a row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Held for the digest (status `digest`) rather than queued.
    pub held: bool,
    /// Milliseconds since the epoch before which it is not attempted.
    pub not_before_ms: i64,
}

/// The choices of the person a message is for: a user's own, the defaults for anyone else.
pub async fn choices_of(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
) -> anyhow::Result<Choices> {
    Ok(match user_id {
        Some(user) => preferences::choices(db, user).await?,
        None => Choices::default(),
    })
}

/// How a message of `category` on `channel` to someone of `dealer_id` is written; `None` when
/// it is turned off.
pub async fn timing(
    app: &Notifications,
    db: &impl ConnectionTrait,
    choices: &Choices,
    category: &str,
    channel: Channel,
    dealer_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Timing>> {
    let (held, not_before) = match choices.plan(category, channel) {
        Plan::Skip => return Ok(None),
        Plan::Digest => (
            true,
            digest::next_run(now, app.settings.digest_hour_utc).unwrap_or(now),
        ),
        Plan::Send if channel == Channel::Sms => (
            false,
            quiet_hours::sms_not_before(app, db, dealer_id, now).await?,
        ),
        Plan::Send => (false, now),
    };
    Ok(Some(Timing {
        held,
        not_before_ms: not_before.timestamp_millis(),
    }))
}
