//! Events published by the auth module.

use super::IntegrationEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A user account was created (by an administrator, a manager, or the seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

impl IntegrationEvent for UserRegistered {
    const NAME: &'static str = "auth.user_registered.v1";
    const SOURCE: &'static str = crate::modules::AUTH;
    fn aggregate_id(&self) -> String {
        self.user_id.to_string()
    }
}

/// A password reset was asked for; carries what is needed to mail the one-time link.
/// Never carries a password, nor the token in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetRequested {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// The one-time reset token (auth stores only its hash), sealed with
    /// `secrets.notification_seal_key` (`kernel::secrets::Sealer`) to
    /// [`PasswordResetRequested::sealing_context`]: only the notification module opens it.
    /// Events written before sealing carried `resetToken` in clear instead.
    pub sealed_reset_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl PasswordResetRequested {
    /// The associated data the token is sealed to: this event name and the event's id, so a
    /// sealed token copied into another event does not open.
    pub fn sealing_context(event_id: Uuid) -> Vec<u8> {
        format!("{}#{event_id}", Self::NAME).into_bytes()
    }
}

impl IntegrationEvent for PasswordResetRequested {
    const NAME: &'static str = "auth.password_reset_requested.v1";
    const SOURCE: &'static str = crate::modules::AUTH;
    fn aggregate_id(&self) -> String {
        self.user_id.to_string()
    }
}

/// A user was deactivated; their sessions are already revoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDeactivated {
    pub user_id: Uuid,
    pub dealer_id: Option<Uuid>,
}

impl IntegrationEvent for UserDeactivated {
    const NAME: &'static str = "auth.user_deactivated.v1";
    const SOURCE: &'static str = crate::modules::AUTH;
    fn aggregate_id(&self) -> String {
        self.user_id.to_string()
    }
}
