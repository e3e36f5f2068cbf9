//! `/leads`: the sales pipeline new → contacted → qualified → test_drive → negotiation → won | lost.

use super::State;
use crate::app::leads::{self as use_case, LeadFilter, LeadWithHistory, NewLead, StageChange};
use crate::domain::leads::{LeadSource, LeadStage};
use crate::store::{lead_stage_history, leads};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StageChangeDto {
    pub from: Option<LeadStage>,
    pub to: LeadStage,
    pub reason: Option<String>,
    pub changed_by: Option<Uuid>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

impl From<lead_stage_history::Model> for StageChangeDto {
    fn from(h: lead_stage_history::Model) -> Self {
        Self {
            from: h.from_stage,
            to: h.to_stage,
            reason: h.reason,
            changed_by: h.changed_by,
            changed_at: h.changed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub source: LeadSource,
    pub owner_id: Uuid,
    pub stage: LeadStage,
    /// The stages it may move to next.
    pub allowed_stages: Vec<LeadStage>,
    pub variant_id: Option<Uuid>,
    pub notes: Option<String>,
    pub lost_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    /// Oldest first; only on single-lead reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StageChangeDto>>,
}

impl From<leads::Model> for LeadDto {
    fn from(l: leads::Model) -> Self {
        Self {
            allowed_stages: l.stage.allowed(),
            id: l.id,
            dealer_id: l.dealer_id,
            customer_id: l.customer_id,
            source: l.source,
            owner_id: l.owner_id,
            stage: l.stage,
            variant_id: l.variant_id,
            notes: l.notes,
            lost_reason: l.lost_reason,
            created_at: l.created_at,
            updated_at: l.updated_at,
            version: l.version,
            history: None,
        }
    }
}

impl From<LeadWithHistory> for LeadDto {
    fn from(read: LeadWithHistory) -> Self {
        let mut dto = LeadDto::from(read.lead);
        dto.history = Some(read.history.into_iter().map(StageChangeDto::from).collect());
        dto
    }
}

/// Leads: dealer staff see the ones they own, managers their dealer's. `q` finds text in the
/// notes, the lost reason or the customer's name (case-insensitive; `%` and `_` are literal).
#[utoipa::path(get, path = "/api/v1/leads", tag = "customer", operation_id = "listLeads", security(("bearer" = [])), params(ListParams, LeadFilter),
    responses((status = 200, body = Page<LeadDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<LeadFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(LeadDto::from)))
}

/// Opens a lead for a customer of the dealer.
#[utoipa::path(post, path = "/api/v1/leads", tag = "customer", operation_id = "createLead", security(("bearer" = [])), request_body = NewLead,
    responses((status = 201, body = LeadDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<NewLead>,
) -> ApiResult<HttpResponse> {
    let lead = use_case::create(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(LeadDto::from(lead)))
}

/// One lead with its stage history.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "customer", operation_id = "getLead", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = LeadDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let lead = use_case::get(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(LeadDto::from(lead)))
}

/// Moves the lead forward, or closes it as won or lost (lost needs a reason). Backwards or out
/// of a closed stage → 409 naming the allowed stages.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", tag = "customer", operation_id = "changeLeadStage", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = StageChange,
    responses((status = 200, body = LeadDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change_stage(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<StageChange>,
) -> ApiResult<HttpResponse> {
    let lead = use_case::change_stage(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(LeadDto::from(lead)))
}
