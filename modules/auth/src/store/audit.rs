//! The security audit trail: logins, refresh-token reuse, role changes, account changes.

use chrono::{DateTime, Utc};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryTrait, Set};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub kind: Kind,
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::text_enum! {
    /// What happened (the `action` of the audit-log API).
    pub enum AuditAction {
        LoginSucceeded = "login_succeeded",
        LoginFailed = "login_failed",
        LoginThrottled = "login_throttled",
        RefreshReused = "refresh_token_reused",
        UserCreated = "user_created",
        RoleChanged = "role_changed",
        UserDeactivated = "user_deactivated",
        UserReactivated = "user_reactivated",
        PasswordChanged = "password_changed",
        PasswordReset = "password_reset",
        SessionsRevoked = "sessions_revoked",
    }
}

/// The kind of an audit record (the name the use cases record it by).
pub type Kind = AuditAction;

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
        kind: Set(kind),
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

/// Which audit records a list shows; every filter is optional and they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Records about this user (the account signed in, changed or revoked).
    pub user_id: Option<Uuid>,
    /// Records of what this user did to others (e.g. the admin who changed a role).
    pub actor_id: Option<Uuid>,
    /// One kind of record (anything else is a 422 naming `action`).
    #[param(value_type = Option<AuditAction>)]
    pub action: Option<String>,
    /// Records at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Records before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// The audit trail narrowed by `filter` (its `action` parsed), newest first unless `sort` says
/// otherwise; `q` searches the email.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    action: Option<Kind>,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = Entity::find()
        .apply_if(filter.user_id, |q, v| q.filter(Column::UserId.eq(v)))
        .apply_if(filter.actor_id, |q, v| q.filter(Column::ActorId.eq(v)))
        .apply_if(action, |q, v| q.filter(Column::Kind.eq(v)))
        .apply_if(filter.from, |q, v| q.filter(Column::OccurredAt.gte(v)))
        .apply_if(filter.to, |q, v| q.filter(Column::OccurredAt.lt(v)))
        .apply_if(params.query(), |q, v| q.filter(Column::Email.contains(v)));
    params
        .fetch(
            db,
            select,
            &[("occurredAt", Column::OccurredAt), ("action", Column::Kind)],
            (Column::OccurredAt, Order::Desc),
            Column::Id,
        )
        .await
}
