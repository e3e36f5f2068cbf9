//! Integration events this module turns into messages for people.
//!
//! Without an SMTP/SMS provider configured (the embedded default), a message is recorded in the
//! notification log as sent by the `log` provider and written to the application log.

use crate::store::notifications;
use contracts::events::auth::{PasswordResetRequested, UserRegistered};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

struct Mail<'a> {
    event: &'a EventEnvelope,
    user_id: Uuid,
    to: &'a str,
    template: &'static str,
    subject: String,
    body: String,
}

async fn record(txn: &WriteTxn, mail: Mail<'_>) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    notifications::ActiveModel {
        id: Set(Uuid::now_v7()),
        recipient_user_id: Set(Some(mail.user_id)),
        recipient_address: Set(mail.to.to_owned()),
        channel: Set("email".into()),
        template: Set(mail.template.into()),
        subject: Set(mail.subject.clone()),
        body: Set(mail.body),
        status: Set("sent".into()),
        attempts: Set(1),
        provider: Set(Some("log".into())),
        provider_id: Set(None),
        source_event_id: Set(mail.event.id.to_string()),
        created_at: Set(now),
        sent_at: Set(Some(now)),
    }
    .insert(&**txn)
    .await?;
    tracing::info!(to = mail.to, subject = %mail.subject, template = mail.template, "email sent (log provider)");
    Ok(())
}

/// Welcomes a new user by email.
pub struct WelcomeMail;

#[async_trait::async_trait]
impl EventHandler for WelcomeMail {
    fn name(&self) -> &'static str {
        "notification.welcome_mail"
    }
    fn schema(&self) -> &'static str {
        contracts::modules::NOTIFICATION
    }
    fn events(&self) -> &'static [&'static str] {
        &[<UserRegistered as contracts::IntegrationEvent>::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let user: UserRegistered = event.decode()?;
        let body = format!(
            "Hello {},\n\nan EVDMS account was created for you ({}, role {}). Sign in with the password you were given and change it.\n",
            user.name, user.email, user.role
        );
        let mail = Mail {
            event,
            user_id: user.user_id,
            to: &user.email,
            template: "welcome",
            subject: "Welcome to EVDMS".into(),
            body,
        };
        record(txn, mail).await
    }
}

/// Mails the one-time password-reset link. The stored copy has the token redacted.
pub struct PasswordResetMail {
    pub development: bool,
}

#[async_trait::async_trait]
impl EventHandler for PasswordResetMail {
    fn name(&self) -> &'static str {
        "notification.password_reset_mail"
    }
    fn schema(&self) -> &'static str {
        contracts::modules::NOTIFICATION
    }
    fn events(&self) -> &'static [&'static str] {
        &[<PasswordResetRequested as contracts::IntegrationEvent>::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let reset: PasswordResetRequested = event.decode()?;
        if self.development {
            tracing::info!(to = %reset.email, token = %reset.reset_token, "password reset link (development only)");
        }
        let body = format!(
            "Hello {},\n\nuse this link before {} to choose a new password: /reset-password?token=[redacted]\nIf you did not ask for it, ignore this mail.\n",
            reset.name,
            reset.expires_at.format("%Y-%m-%d %H:%M UTC")
        );
        let mail = Mail {
            event,
            user_id: reset.user_id,
            to: &reset.email,
            template: "password_reset",
            subject: "Reset your EVDMS password".into(),
            body,
        };
        record(txn, mail).await
    }
}
