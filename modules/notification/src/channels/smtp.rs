//! Email over SMTP with lettre: a pooled async transport, TLS as configured, a text part and
//! (when the template has one) an HTML alternative.

use super::{OutgoingMessage, Provider, SendError};
use anyhow::Context;
use kernel::config::{NotificationSettings, SmtpTls};
use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;
use std::time::Duration;

pub struct SmtpProvider {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of our Message-IDs.
    message_id_domain: String,
}

impl SmtpProvider {
    pub fn new(settings: &NotificationSettings) -> anyhow::Result<Self> {
        let host = settings.smtp_host.trim();
        let builder = match settings.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .context("notification.smtp_host: STARTTLS setup")?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .context("notification.smtp_host: TLS setup")?,
        };
        let mut builder = builder
            .port(settings.smtp_port)
            .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs.max(1))));
        if !settings.smtp_username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.smtp_username.clone(),
                settings.smtp_password.expose_secret().to_owned(),
            ));
        }
        let from: Mailbox = settings
            .email_from
            .parse()
            .context("notification.email_from is not an email address")?;
        let message_id_domain = from.email.domain().to_owned();
        Ok(Self {
            transport: builder.build(),
            from,
            message_id_domain,
        })
    }

    fn message(&self, message: &OutgoingMessage, message_id: &str) -> Result<Message, SendError> {
        let address = message
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("invalid recipient address: {e}")))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(message.recipient_name.clone(), address))
            .subject(message.subject.clone())
            .message_id(Some(message_id.to_owned()));
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone());
        let built = match &message.html {
            Some(html) => builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.clone()),
                ),
            ),
            None => builder.singlepart(text),
        };
        built.map_err(|e| SendError::Permanent(format!("building the message: {e}")))
    }
}

#[async_trait::async_trait]
impl Provider for SmtpProvider {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let message_id = format!("<{}@{}>", message.delivery_id, self.message_id_domain);
        let email = self.message(message, &message_id)?;
        match self.transport.send(email).await {
            Ok(_) => Ok(message_id),
            // 5xx: the server refuses this message for good; anything else may pass later.
            Err(error) if error.is_permanent() => Err(SendError::Permanent(error.to_string())),
            Err(error) => Err(SendError::Transient(error.to_string())),
        }
    }
}
