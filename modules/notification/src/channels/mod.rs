//! The providers that carry messages out: one interface, one implementation per way out.
//! Without SMTP configured, email goes to the `log` provider (recorded as sent and printed).

pub mod log;
pub mod sms_http;
pub mod smtp;

use crate::domain::Channel;
use std::sync::Arc;
use uuid::Uuid;

/// A rendered message for one recipient on one channel.
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    pub delivery_id: Uuid,
    pub channel: Channel,
    /// Email address or phone number.
    pub to: String,
    pub recipient_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Why a send failed: worth retrying (outage, timeout) or not (the address is refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Recorded in the ledger (`smtp`, `log`, …).
    fn name(&self) -> &'static str;
    /// Sends and returns the provider's message id.
    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError>;
}

/// The provider of each outbound channel (in-app messages need none).
#[derive(Clone)]
pub struct Providers {
    pub email: Arc<dyn Provider>,
    pub sms: Arc<dyn Provider>,
}

impl Providers {
    /// From `[notification]`: SMTP when `smtp_host` is set, the HTTP SMS provider when
    /// `sms_base_url` is, the log provider otherwise.
    pub fn from_settings(
        settings: &kernel::config::NotificationSettings,
        print_bodies: bool,
    ) -> anyhow::Result<Self> {
        let logger: Arc<dyn Provider> = Arc::new(log::LogProvider { print_bodies });
        let email: Arc<dyn Provider> = if settings.smtp_host.trim().is_empty() {
            logger.clone()
        } else {
            Arc::new(smtp::SmtpProvider::new(settings)?)
        };
        let sms: Arc<dyn Provider> = if settings.sms_base_url.trim().is_empty() {
            logger
        } else {
            Arc::new(sms_http::HttpSmsProvider::new(settings)?)
        };
        Ok(Self { email, sms })
    }

    pub fn for_channel(&self, channel: Channel) -> Option<&Arc<dyn Provider>> {
        match channel {
            Channel::Email => Some(&self.email),
            Channel::Sms => Some(&self.sms),
            Channel::InApp => None,
        }
    }
}
