//! The security audit trail: logins, refresh-token reuse, role changes, account changes.

use sea_orm::{entity::prelude::*, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    RefreshReused,
    UserCreated,
    RoleChanged,
    UserDeactivated,
    UserReactivated,
    PasswordChanged,
    PasswordReset,
    SessionsRevoked,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::LoginThrottled => "login_throttled",
            Self::RefreshReused => "refresh_token_reused",
            Self::UserCreated => "user_created",
            Self::RoleChanged => "role_changed",
            Self::UserDeactivated => "user_deactivated",
            Self::UserReactivated => "user_reactivated",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::SessionsRevoked => "sessions_revoked",
        }
    }
}

/// One audit record.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

pub async fn record(db: &impl ConnectionTrait, kind: Kind, record: Record) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(chrono::Utc::now()),
        kind: Set(kind.as_str().to_owned()),
        user_id: Set(record.user_id),
        actor_id: Set(record.actor_id),
        email: Set(record.email),
        ip: Set(record.ip),
        detail: Set(record.detail),
    }
    .insert(db)
    .await
    .map(|_| ())
}
