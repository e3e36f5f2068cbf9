//! `/auth/audit-log`: the security audit trail, for administrators.

use super::State;
use crate::{
    app::audit as use_case,
    store::audit::{self, AuditAction, AuditFilter},
};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    ApiResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub action: AuditAction,
    /// The user the record is about (absent for a failed login with an unknown email).
    pub user_id: Option<Uuid>,
    /// Who did it, when someone else than the user (an administrator changing a role).
    pub actor_id: Option<Uuid>,
    /// The email given at sign-in or of the account concerned.
    pub email: Option<String>,
    /// The client address of the request.
    pub ip: Option<String>,
    pub detail: Option<String>,
}

impl From<audit::Model> for AuditEntryDto {
    fn from(m: audit::Model) -> Self {
        Self {
            id: m.id,
            occurred_at: m.occurred_at,
            action: m.kind,
            user_id: m.user_id,
            actor_id: m.actor_id,
            email: m.email,
            ip: m.ip,
            detail: m.detail,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditListQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(flatten)]
    filter: AuditFilter,
}

/// The security audit trail, newest first (sortable by `occurredAt` and `action`); `q` searches
/// the email.
#[utoipa::path(get, path = "/api/v1/auth/audit-log", operation_id = "listAuditLog", tag = "auth", security(("bearer" = [])), params(ListParams, AuditFilter),
    responses((status = 200, body = Page<AuditEntryDto>),
        (status = 400, description = "A filter that does not parse (a malformed id or time)", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown `action`, `to` not after `from`, an unknown sort field, or a page out of range", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(state: State, query: web::Query<AuditListQuery>) -> ApiResult<HttpResponse> {
    let AuditListQuery { list, filter } = query.into_inner();
    let page = use_case::list(&state, &filter, &list).await?;
    Ok(HttpResponse::Ok().json(page.map(AuditEntryDto::from)))
}
