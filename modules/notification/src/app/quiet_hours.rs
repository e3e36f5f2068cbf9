//! SMS quiet hours in the recipient's dealer's time zone: when an SMS may go out. Used when the
//! message is queued (it waits for the window's end) and again before each attempt (a retry or a
//! resend coming due inside the window waits too).

use super::Notifications;
use crate::domain::quiet_hours::{self, QuietWindow};
use crate::store::{dealers, deliveries, people};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

fn window(app: &Notifications) -> anyhow::Result<Option<QuietWindow>> {
    Ok(app
        .settings
        .sms_quiet_hours()?
        .and_then(|(start, end)| QuietWindow::new(start, end)))
}

/// The local time zone of `dealer_id` (its copy's zone), else the configured default.
pub async fn zone_of_dealer(
    app: &Notifications,
    db: &impl ConnectionTrait,
    dealer_id: Option<Uuid>,
) -> anyhow::Result<Tz> {
    let own = match dealer_id {
        Some(id) => dealers::find(db, id).await?.and_then(|d| d.time_zone),
        None => None,
    };
    match own.and_then(|zone| zone.parse::<Tz>().ok()) {
        Some(zone) => Ok(zone),
        None => Ok(app.settings.default_tz()?),
    }
}

/// When an SMS to someone of `dealer_id` may go, given `now`.
pub async fn sms_not_before(
    app: &Notifications,
    db: &impl ConnectionTrait,
    dealer_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let Some(window) = window(app)? else {
        return Ok(now);
    };
    let zone = zone_of_dealer(app, db, dealer_id).await?;
    Ok(quiet_hours::not_before(Some(window), now, zone))
}

/// The dealer of a ledger recipient (`user:<id>` or `customer:<id>`), if known.
async fn dealer_of_recipient(
    db: &impl ConnectionTrait,
    recipient: &str,
) -> anyhow::Result<Option<Uuid>> {
    let Some((kind, id)) = recipient.split_once(':') else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return Ok(None);
    };
    Ok(match kind {
        "customer" => people::customer(db, id).await?.map(|c| c.dealer_id),
        "user" => people::user(db, id).await?.and_then(|u| u.dealer_id),
        _ => None,
    })
}

/// If the SMS of `row` may not go now, the millisecond it may.
pub async fn sms_deferred_until(
    app: &Notifications,
    row: &deliveries::Model,
) -> anyhow::Result<Option<i64>> {
    if window(app)?.is_none() {
        return Ok(None);
    }
    let db = app.db.conn();
    let dealer = dealer_of_recipient(db, &row.recipient).await?;
    let now = Utc::now();
    let not_before = sms_not_before(app, db, dealer, now).await?;
    Ok((not_before > now).then(|| not_before.timestamp_millis()))
}
