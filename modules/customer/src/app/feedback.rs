//! Feedback and complaints: filed, assigned, worked, resolved, closed.

use super::{
    customers::{active_of_dealer, check_named},
    references, Services,
};
use crate::domain::feedback::{
    resolution, FeedbackAction, FeedbackChannel, FeedbackKind, FeedbackStatus, Severity,
};
use crate::store::{feedback, Visibility};
use contracts::events::customer::{ComplaintAssigned, ComplaintFiled};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, DomainError, DomainResult, Lifecycle,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::feedback::FeedbackFilter;

/// A case the caller may see: managers all of their dealer's, staff the ones they filed or
/// were given; otherwise 404.
async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<feedback::Model> {
    kernel::store::find_visible::<feedback::Entity>(db, id, "feedback", |case| {
        caller.can_access_dealer(case.dealer_id)
            && (caller.sees_all_of_dealer() || case.involves(caller.subject))
    })
    .await
}

pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &FeedbackFilter,
    params: &ListParams,
) -> DomainResult<Page<feedback::Model>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    feedback::list(services.db.conn(), scope, filter, params).await
}

pub async fn get(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<feedback::Model> {
    visible(services.db.conn(), caller, id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewFeedback {
    pub dealer_id: Option<Uuid>,
    /// Absent for anonymous feedback.
    pub customer_id: Option<Uuid>,
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub channel: FeedbackChannel,
    #[validate(length(min = 1, max = 200))]
    pub subject: String,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    pub assigned_to: Option<Uuid>,
}

/// Records feedback or a complaint.
pub async fn file(
    services: &Services,
    caller: &Caller,
    input: NewFeedback,
) -> DomainResult<feedback::Model> {
    let dealer_id = references::acting_dealer(caller, input.dealer_id)?;
    let now = chrono::Utc::now();
    let mut txn = services.db.begin().await?;
    let case = feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        customer_id: Set(input.customer_id),
        kind: Set(input.kind),
        severity: Set(input.severity),
        channel: Set(input.channel),
        subject: Set(input.subject.trim().to_owned()),
        description: Set(input.description),
        status: Set(FeedbackStatus::New),
        assigned_to: Set(input.assigned_to),
        resolution: Set(None),
        created_by: Set(caller.subject),
        created_at: Set(now),
        updated_at: Set(now),
        resolved_at: Set(None),
        version: Set(1),
    }
    .insert(&*txn)
    .await;
    let case = references::inserted(case)?;
    references::dealer(&*txn, caller, dealer_id).await?;
    if let Some(customer) = input.customer_id {
        active_of_dealer(&*txn, caller, dealer_id, customer).await?;
    }
    check_named(&*txn, caller, dealer_id, "assignedTo", input.assigned_to).await?;
    let event = ComplaintFiled {
        feedback_id: case.id,
        dealer_id,
        customer_id: case.customer_id,
        kind: case.kind.as_str().to_owned(),
        severity: case.severity.as_str().to_owned(),
        channel: case.channel.as_str().to_owned(),
        assigned_to: case.assigned_to,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(case)
}

/// Gives the case to someone (managers); a closed case → 409.
pub async fn assign(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    assignee: Uuid,
) -> DomainResult<feedback::Model> {
    let db = services.db.conn();
    let case = visible(db, caller, id).await?;
    case.status.check_assignable()?;
    let mut txn = services.db.begin().await?;
    if !feedback::assign(&*txn, case.id, assignee).await? {
        return Err(DomainError::changed_meanwhile("case"));
    }
    check_named(&*txn, caller, case.dealer_id, "assigneeId", Some(assignee)).await?;
    let event = ComplaintAssigned {
        feedback_id: case.id,
        dealer_id: case.dealer_id,
        customer_id: case.customer_id,
        kind: case.kind.as_str().to_owned(),
        severity: case.severity.as_str().to_owned(),
        assigned_to: assignee,
        assigned_by: caller.subject,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    visible(db, caller, id).await
}

/// Moves the case if it is still in the status read. Resolving records how (and when);
/// whoever starts an unassigned case takes it.
pub async fn act(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    action: FeedbackAction,
    note: Option<String>,
) -> DomainResult<feedback::Model> {
    let db = services.db.conn();
    let case = visible(db, caller, id).await?;
    let next = case.status.apply(action)?;
    let mut change = StatusChange::<feedback::Entity>::new(id, case.status, next);
    match action {
        FeedbackAction::Resolve => {
            change = change
                .set(feedback::Column::Resolution, resolution(note)?)
                .set(feedback::Column::ResolvedAt, chrono::Utc::now());
        }
        FeedbackAction::Start if case.assigned_to.is_none() => {
            change = change.set(feedback::Column::AssignedTo, caller.subject);
        }
        _ => {}
    }
    let txn = services.db.begin().await?;
    change.exec(&*txn).await?;
    txn.commit().await?;
    visible(db, caller, id).await
}
