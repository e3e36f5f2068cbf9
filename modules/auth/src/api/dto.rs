//! Request and response bodies (camelCase JSON).

use crate::store::{service_clients, sessions, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// admin | evm_staff | dealer_manager | dealer_staff
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub active: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<users::Model> for UserDto {
    fn from(u: users::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            dealer_id: u.dealer_id,
            branch_id: u.branch_id,
            active: u.active,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            version: u.version,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 320))]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_at: chrono::DateTime<chrono::Utc>,
    pub session_id: Uuid,
    pub user: UserDto,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    pub refresh_token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session of the token making this request.
    pub current: bool,
}

impl SessionDto {
    pub fn from_model(s: sessions::Model, current: Option<Uuid>) -> Self {
        Self {
            current: Some(s.id) == current,
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            ip: s.ip,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForgotPasswordRequest {
    #[validate(length(min = 1, max = 320))]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordRequest {
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    #[schema(format = Password)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024))]
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(format = Password)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserRequest {
    pub email: String,
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    pub role: String,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    /// Initial password (checked against the password policy).
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    /// Admins only.
    pub role: Option<String>,
    /// Admins only.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub dealer_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub branch_id: Option<Option<Uuid>>,
    /// The version read; required unless an `If-Match` header is sent.
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfileRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
}

/// Distinguishes an absent field (no change) from `null` (clear it).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceClientDto {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<service_clients::Model> for ServiceClientDto {
    fn from(c: service_clients::Model) -> Self {
        Self {
            scopes: c.scope_list(),
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            active: c.active,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// Returned once, when a client is created or its secret rotated.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceClientCredentials {
    pub client: ServiceClientDto,
    pub client_secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceClientRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceClientRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

/// OAuth 2.0 client-credentials grant (RFC 6749 §4.4), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientCredentialsRequest {
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated subset of the client's scopes.
    pub scope: Option<String>,
}

/// RFC 6749 token response (snake_case as the RFC prescribes).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}
