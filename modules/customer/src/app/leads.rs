//! Leads: the sales pipeline; a delivery wins the customer's open leads.

use super::{
    customers::{active_of_dealer, assignee, check_named},
    references, Services,
};
use crate::domain::leads::{LeadSource, LeadStage};
use crate::store::{lead_stage_history, leads, Visibility};
use contracts::events::customer::{LeadCreated, LeadStageChanged};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, DomainError, DomainResult, WriteTxn,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::leads::LeadFilter;

/// A lead with its stage history, oldest change first.
#[derive(Debug)]
pub struct LeadWithHistory {
    pub lead: leads::Model,
    pub history: Vec<lead_stage_history::Model>,
}

async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<leads::Model> {
    kernel::store::find_visible::<leads::Entity>(db, id, "lead", |l| {
        caller.can_see_document(l.dealer_id, l.owner_id)
    })
    .await
}

async fn with_history(
    db: &impl ConnectionTrait,
    lead: leads::Model,
) -> DomainResult<LeadWithHistory> {
    let history = lead_stage_history::of_leads(db, [lead.id])
        .await?
        .remove(&lead.id)
        .unwrap_or_default();
    Ok(LeadWithHistory { lead, history })
}

pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &LeadFilter,
    params: &ListParams,
) -> DomainResult<Page<leads::Model>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    leads::list(services.db.conn(), scope, filter, params).await
}

pub async fn get(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<LeadWithHistory> {
    let db = services.db.conn();
    with_history(db, visible(db, caller, id).await?).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewLead {
    pub dealer_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub source: LeadSource,
    /// Managers may give the lead to a salesperson; defaults to the caller.
    pub owner_id: Option<Uuid>,
    /// The variant the customer is interested in.
    pub variant_id: Option<Uuid>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

/// Opens a lead for a customer of the dealer.
pub async fn create(
    services: &Services,
    caller: &Caller,
    input: NewLead,
) -> DomainResult<leads::Model> {
    let dealer_id = references::acting_dealer(caller, input.dealer_id)?;
    let owner_id = assignee(caller, input.owner_id)?;
    let now = chrono::Utc::now();
    let mut txn = services.db.begin().await?;
    let lead = leads::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        customer_id: Set(input.customer_id),
        source: Set(input.source),
        owner_id: Set(owner_id),
        stage: Set(LeadStage::New),
        variant_id: Set(input.variant_id),
        notes: Set(input.notes),
        lost_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await;
    let lead = references::inserted(lead)?;
    references::dealer(&*txn, caller, dealer_id).await?;
    check_named(&*txn, caller, dealer_id, "ownerId", input.owner_id).await?;
    active_of_dealer(&*txn, caller, dealer_id, input.customer_id).await?;
    if let Some(variant) = input.variant_id {
        references::variant(&*txn, "variantId", variant).await?;
    }
    lead_stage_history::record(
        &*txn,
        lead.id,
        None,
        LeadStage::New,
        None,
        Some(caller.subject),
        now,
    )
    .await?;
    let event = LeadCreated {
        lead_id: lead.id,
        dealer_id,
        customer_id: lead.customer_id,
        source: lead.source.as_str().to_owned(),
        owner_id,
        stage: lead.stage.as_str().to_owned(),
        variant_id: lead.variant_id,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(lead)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StageChange {
    pub stage: LeadStage,
    /// Required when the lead is lost.
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

/// Moves the lead forward, or closes it as won or lost (lost needs a reason). Backwards or out
/// of a closed stage → 409 naming the allowed stages.
pub async fn change_stage(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    input: StageChange,
) -> DomainResult<LeadWithHistory> {
    let db = services.db.conn();
    let lead = visible(db, caller, id).await?;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    lead.stage.check_move(input.stage, reason)?;
    let mut txn = services.db.begin().await?;
    move_lead(&mut txn, &lead, input.stage, reason, Some(caller.subject)).await?;
    txn.commit().await?;
    with_history(db, visible(db, caller, id).await?).await
}

/// Moves a lead if it is still in the stage read, records the history, publishes the change.
/// A racing change that got there first → 409 `concurrent_change`.
pub async fn move_lead(
    txn: &mut WriteTxn,
    lead: &leads::Model,
    to: LeadStage,
    reason: Option<&str>,
    changed_by: Option<Uuid>,
) -> DomainResult<()> {
    let now = chrono::Utc::now();
    let mut change = StatusChange::<leads::Entity>::new(lead.id, lead.stage, to);
    if to == LeadStage::Lost {
        change = change.set(leads::Column::LostReason, reason.map(str::to_owned));
    }
    change.exec(&**txn).await?;
    lead_stage_history::record(
        &**txn,
        lead.id,
        Some(lead.stage),
        to,
        reason.map(str::to_owned),
        changed_by,
        now,
    )
    .await?;
    let event = LeadStageChanged {
        lead_id: lead.id,
        dealer_id: lead.dealer_id,
        customer_id: lead.customer_id,
        owner_id: lead.owner_id,
        from: lead.stage.as_str().to_owned(),
        to: to.as_str().to_owned(),
        // A person's free text may describe the customer: it stays here, where erasure reaches.
        reason: changed_by
            .is_none()
            .then(|| reason.map(str::to_owned))
            .flatten(),
        changed_at: now,
    };
    kernel::events::publish(txn, &event).await?;
    Ok(())
}

/// A delivery to the customer wins every open lead they have at that dealer.
pub async fn win_on_delivery(
    txn: &mut WriteTxn,
    dealer_id: Uuid,
    customer_id: Uuid,
    order_number: &str,
) -> DomainResult<()> {
    let open = leads::open_of_customer(&**txn, dealer_id, customer_id).await?;
    let reason = format!("vehicle delivered (order {order_number})");
    for lead in open {
        match move_lead(txn, &lead, LeadStage::Won, Some(&reason), None).await {
            // A staff action moved it first: that move stands.
            Err(DomainError::Conflict { .. }) => {}
            other => other?,
        }
    }
    Ok(())
}
