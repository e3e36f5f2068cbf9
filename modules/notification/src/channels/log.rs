//! The development default: a message is "sent" by writing it to the application log.

use super::{OutgoingMessage, Provider, SendError};

pub struct LogProvider {
    /// Bodies may carry one-time links; printed only in development.
    pub print_bodies: bool,
}

#[async_trait::async_trait]
impl Provider for LogProvider {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        if self.print_bodies {
            tracing::info!(channel = %message.channel, to = %message.to, subject = %message.subject, body = %message.text, "message sent (log provider)");
        } else {
            tracing::info!(channel = %message.channel, to = %message.to, subject = %message.subject, "message sent (log provider)");
        }
        Ok(format!("log-{}", message.delivery_id))
    }
}
