//! Leads: the sales pipeline new → contacted → qualified → test_drive → negotiation → won | lost.

use super::{
    customers::{active_of_dealer, assignee},
    State,
};
use crate::domain::lifecycle;
use crate::events::move_lead;
use crate::store::{lead_stage_history, leads};
use actix_web::{web, HttpResponse};
use contracts::events::customer::LeadCreated;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StageChangeDto {
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
    pub changed_by: Option<Uuid>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    /// walk_in | web | phone | referral | event
    pub source: String,
    pub owner_id: Uuid,
    /// new | contacted | qualified | test_drive | negotiation | won | lost
    pub stage: String,
    /// The stages it may move to next.
    pub allowed_stages: Vec<String>,
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
            allowed_stages: lifecycle::lead_allowed(&l.stage)
                .into_iter()
                .map(str::to_owned)
                .collect(),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LeadFilter {
    pub dealer_id: Option<Uuid>,
    pub stage: Option<String>,
    pub owner_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub source: Option<String>,
}

/// Leads: dealer staff see the ones they own, managers their dealer's.
#[utoipa::path(get, path = "/api/v1/leads", tag = "customer", security(("bearer" = [])), params(ListParams, LeadFilter),
    responses((status = 200, body = Page<LeadDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<LeadFilter>,
) -> ApiResult<HttpResponse> {
    use leads::Column as C;
    let mut select = leads::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(C::OwnerId.eq(caller.subject));
    }
    if let Some(stage) = &filter.stage {
        select = select.filter(C::Stage.eq(stage.as_str()));
    }
    if let Some(owner) = filter.owner_id {
        select = select.filter(C::OwnerId.eq(owner));
    }
    if let Some(customer) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer));
    }
    if let Some(source) = &filter.source {
        select = select.filter(C::Source.eq(source.as_str()));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("updatedAt", C::UpdatedAt),
        ("stage", C::Stage),
    ];
    let page = query
        .fetch(
            state.db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Desc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(LeadDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateLead {
    pub dealer_id: Option<Uuid>,
    pub customer_id: Uuid,
    /// walk_in | web | phone | referral | event
    pub source: String,
    /// Managers may give the lead to a salesperson; defaults to the caller.
    pub owner_id: Option<Uuid>,
    /// The variant the customer is interested in.
    pub variant_id: Option<Uuid>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

/// Opens a lead for a customer of the dealer.
#[utoipa::path(post, path = "/api/v1/leads", tag = "customer", security(("bearer" = [])), request_body = CreateLead,
    responses((status = 201, body = LeadDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<CreateLead>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    if !lifecycle::LEAD_SOURCES.contains(&body.source.as_str()) {
        return Err(ApiError::invalid_field(
            "source",
            format!("must be one of {}", lifecycle::LEAD_SOURCES.join(", ")),
        ));
    }
    let owner_id = assignee(&caller, body.owner_id)?;
    active_of_dealer(state.db.conn(), &caller, dealer_id, body.customer_id).await?;
    let now = chrono::Utc::now();
    let mut txn = state.db.begin().await?;
    let lead = leads::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        customer_id: Set(body.customer_id),
        source: Set(body.source),
        owner_id: Set(owner_id),
        stage: Set("new".into()),
        variant_id: Set(body.variant_id),
        notes: Set(body.notes),
        lost_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    lead_stage_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead.id),
        from_stage: Set(None),
        to_stage: Set("new".into()),
        reason: Set(None),
        changed_by: Set(Some(caller.subject)),
        changed_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    let event = LeadCreated {
        lead_id: lead.id,
        dealer_id,
        customer_id: lead.customer_id,
        source: lead.source.clone(),
        owner_id,
        stage: lead.stage.clone(),
        variant_id: lead.variant_id,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(LeadDto::from(lead)))
}

async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<leads::Model, ApiError> {
    super::find_visible::<leads::Entity>(db, id, "lead", |row| {
        caller.ensure_document_visible(row.dealer_id, row.owner_id)
    })
    .await
}

async fn with_history(db: &impl ConnectionTrait, lead: leads::Model) -> Result<LeadDto, ApiError> {
    let history = lead_stage_history::Entity::find()
        .filter(lead_stage_history::Column::LeadId.eq(lead.id))
        .order_by_asc(lead_stage_history::Column::ChangedAt)
        .order_by_asc(lead_stage_history::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|h| StageChangeDto {
            from: h.from_stage,
            to: h.to_stage,
            reason: h.reason,
            changed_by: h.changed_by,
            changed_at: h.changed_at,
        })
        .collect();
    let mut dto = LeadDto::from(lead);
    dto.history = Some(history);
    Ok(dto)
}

/// One lead with its stage history.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = LeadDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let lead = visible(state.db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(with_history(state.db.conn(), lead).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeStage {
    /// contacted | qualified | test_drive | negotiation | won | lost
    pub stage: String,
    /// Required when the lead is lost.
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

/// Moves the lead forward, or closes it as won or lost (lost needs a reason). Backwards or out
/// of a closed stage → 409 naming the allowed stages.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ChangeStage,
    responses((status = 200, body = LeadDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change_stage(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ChangeStage>,
) -> ApiResult<HttpResponse> {
    let lead = visible(state.db.conn(), &caller, *id).await?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    lifecycle::lead_move(&lead.stage, &body.stage, reason)?;
    let mut txn = state.db.begin().await?;
    if !move_lead(&mut txn, &lead, &body.stage, reason, Some(caller.subject))
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::conflict(
            "the lead changed while this request ran; reload it",
        ));
    }
    txn.commit().await?;
    let lead = visible(state.db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(with_history(state.db.conn(), lead).await?))
}
