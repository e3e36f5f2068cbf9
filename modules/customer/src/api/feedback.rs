//! `/feedback`: feedback and complaints, new → in_progress → resolved → closed.

use super::State;
use crate::app::feedback::{self as use_case, FeedbackFilter, NewFeedback};
use crate::domain::feedback::{
    FeedbackAction, FeedbackChannel, FeedbackKind, FeedbackStatus, Severity,
};
use crate::store::feedback;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller, Lifecycle,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub channel: FeedbackChannel,
    pub subject: String,
    pub description: Option<String>,
    pub status: FeedbackStatus,
    pub allowed_actions: Vec<String>,
    pub assigned_to: Option<Uuid>,
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

impl From<feedback::Model> for FeedbackDto {
    fn from(f: feedback::Model) -> Self {
        Self {
            allowed_actions: f.status.allowed_names(),
            id: f.id,
            dealer_id: f.dealer_id,
            customer_id: f.customer_id,
            kind: f.kind,
            severity: f.severity,
            channel: f.channel,
            subject: f.subject,
            description: f.description,
            status: f.status,
            assigned_to: f.assigned_to,
            resolution: f.resolution,
            created_by: f.created_by,
            created_at: f.created_at,
            resolved_at: f.resolved_at,
            version: f.version,
        }
    }
}

fn ok(case: feedback::Model) -> HttpResponse {
    HttpResponse::Ok().json(FeedbackDto::from(case))
}

/// Feedback and complaints of the dealer. `q` finds text in the subject, the description or
/// the resolution (case-insensitive; `%` and `_` are literal).
#[utoipa::path(get, path = "/api/v1/feedback", tag = "customer", operation_id = "listFeedback", security(("bearer" = [])), params(ListParams, FeedbackFilter),
    responses((status = 200, body = Page<FeedbackDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<FeedbackFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(FeedbackDto::from)))
}

/// Records feedback or a complaint.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "customer", operation_id = "fileFeedback", security(("bearer" = [])), request_body = NewFeedback,
    responses((status = 201, body = FeedbackDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<NewFeedback>,
) -> ApiResult<HttpResponse> {
    let case = use_case::file(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(FeedbackDto::from(case)))
}

/// One feedback case.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "customer", operation_id = "getFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::get(&state, &caller, *id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignFeedback {
    pub assignee_id: Uuid,
}

/// Gives the case to someone (managers).
#[utoipa::path(post, path = "/api/v1/feedback/{id}/assign", tag = "customer", operation_id = "assignFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AssignFeedback,
    responses((status = 200, body = FeedbackDto), (status = 409, description = "Closed", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn assign(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<AssignFeedback>,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        use_case::assign(&state, &caller, *id, body.assignee_id).await?
    ))
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackNote {
    /// What was done (recorded when resolving).
    #[validate(length(max = 5000))]
    pub resolution: Option<String>,
}

async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    action: FeedbackAction,
    note: Option<String>,
) -> ApiResult<HttpResponse> {
    Ok(ok(use_case::act(&state, &caller, id, action, note).await?))
}

/// Work on the case begins.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/start", tag = "customer", operation_id = "startFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn start(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, FeedbackAction::Start, None).await
}

/// Resolved, saying how.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/resolve", tag = "customer", operation_id = "resolveFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = FeedbackNote,
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<FeedbackNote>,
) -> ApiResult<HttpResponse> {
    let note = body.into_inner().resolution;
    act(state, caller, *id, FeedbackAction::Resolve, note).await
}

/// The customer agrees it is settled.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/close", tag = "customer", operation_id = "closeFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn close(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, FeedbackAction::Close, None).await
}

/// Not settled after all: back to work.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/reopen", tag = "customer", operation_id = "reopenFeedback", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reopen(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, FeedbackAction::Reopen, None).await
}
