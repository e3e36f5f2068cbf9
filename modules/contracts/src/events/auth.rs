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
/// Never carries a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetRequested {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// The one-time reset token (only its hash is stored by auth).
    pub reset_token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
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
