//! Use cases: keeping the people directory, turning events into ledger rows (inside the inbox
//! transaction, never talking to a provider there) as users' preferences and quiet hours say,
//! sending due rows (the dispatcher), the daily digest, preferences, templates.

pub mod deliveries;
pub mod digest;
pub mod directory;
pub mod dispatch;
pub mod fanout;
pub mod feed;
pub mod inbox;
pub mod live;
pub mod planning;
pub mod preferences;
pub mod quiet_hours;
pub mod reminders;
pub mod sealed;
pub mod templates;
pub mod tickets;

use crate::channels::Providers;
use crate::domain::RetryPolicy;
use kernel::{cache::Cache, config::NotificationSettings, Db};
use std::{sync::Arc, time::Duration};
use tokio::sync::{watch, Notify};

/// What the use cases share.
pub struct Notifications {
    pub db: Db,
    pub settings: NotificationSettings,
    pub providers: Providers,
    /// Wakes the dispatcher when rows were queued or requeued (after their commit).
    pub wake: Arc<Notify>,
    /// This process's live streams, fed from every process.
    pub live: Arc<live::LivePush>,
    /// Where stream tickets are kept (Redis when configured).
    pub cache: Arc<dyn Cache>,
    /// Turns true when the server starts to stop: live streams end.
    pub draining: watch::Receiver<bool>,
    /// Opens secrets sealed by other modules (the password-reset token).
    pub sealer: kernel::secrets::Sealer,
}

impl Notifications {
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(self.settings.backoff_base_ms.max(1)),
            max: Duration::from_millis(self.settings.backoff_max_ms.max(1)),
            max_attempts: self.settings.max_attempts.max(1),
        }
    }

    /// The locale to write in: the person's if templates exist for it, else the default.
    pub fn locale_for(&self, wanted: Option<&str>) -> String {
        let supported = crate::domain::defaults::LOCALES;
        wanted
            .filter(|l| supported.contains(l))
            .or_else(|| {
                Some(self.settings.default_locale.as_str()).filter(|l| supported.contains(l))
            })
            .unwrap_or(crate::domain::defaults::FALLBACK_LOCALE)
            .to_owned()
    }
}
