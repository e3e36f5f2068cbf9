//! Feedback and complaints: new → in_progress → resolved → closed, assigned to a person.

use super::State;
use crate::domain::lifecycle;
use crate::store::feedback;
use actix_web::{web, HttpResponse};
use contracts::events::customer::{ComplaintAssigned, ComplaintFiled};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    /// complaint | suggestion | praise
    pub kind: String,
    /// low | medium | high | critical
    pub severity: String,
    /// phone | email | in_person | web | social
    pub channel: String,
    pub subject: String,
    pub description: Option<String>,
    /// new | in_progress | resolved | closed
    pub status: String,
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
            allowed_actions: lifecycle::feedback_allowed(&f.status)
                .iter()
                .map(|a| (*a).to_owned())
                .collect(),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedbackFilter {
    pub dealer_id: Option<Uuid>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub assigned_to: Option<Uuid>,
    pub customer_id: Option<Uuid>,
}

/// Feedback and complaints of the dealer.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "customer", security(("bearer" = [])), params(ListParams, FeedbackFilter),
    responses((status = 200, body = Page<FeedbackDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<FeedbackFilter>,
) -> ApiResult<HttpResponse> {
    use feedback::Column as C;
    let mut select = feedback::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    for (column, value) in [
        (C::Status, &filter.status),
        (C::Kind, &filter.kind),
        (C::Severity, &filter.severity),
    ] {
        if let Some(value) = value {
            select = select.filter(column.eq(value.as_str()));
        }
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(
            sea_orm::Condition::any()
                .add(C::CreatedBy.eq(caller.subject))
                .add(C::AssignedTo.eq(caller.subject)),
        );
    }
    if let Some(assignee) = filter.assigned_to {
        select = select.filter(C::AssignedTo.eq(assignee));
    }
    if let Some(customer) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(customer));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("severity", C::Severity),
        ("status", C::Status),
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
    Ok(HttpResponse::Ok().json(page.map(FeedbackDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateFeedback {
    pub dealer_id: Option<Uuid>,
    /// Absent for anonymous feedback.
    pub customer_id: Option<Uuid>,
    /// complaint | suggestion | praise
    pub kind: String,
    /// low | medium | high | critical
    pub severity: String,
    /// phone | email | in_person | web | social
    pub channel: String,
    #[validate(length(min = 1, max = 200))]
    pub subject: String,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    pub assigned_to: Option<Uuid>,
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// Records feedback or a complaint.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "customer", security(("bearer" = [])), request_body = CreateFeedback,
    responses((status = 201, body = FeedbackDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<CreateFeedback>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    one_of("kind", &body.kind, &lifecycle::FEEDBACK_KINDS)?;
    one_of("severity", &body.severity, &lifecycle::SEVERITIES)?;
    one_of("channel", &body.channel, &lifecycle::CHANNELS)?;
    if let Some(customer) = body.customer_id {
        super::customers::active_of_dealer(state.db.conn(), &caller, dealer_id, customer).await?;
    }
    let now = chrono::Utc::now();
    let mut txn = state.db.begin().await?;
    let case = feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        customer_id: Set(body.customer_id),
        kind: Set(body.kind),
        severity: Set(body.severity),
        channel: Set(body.channel),
        subject: Set(body.subject.trim().to_owned()),
        description: Set(body.description),
        status: Set("new".into()),
        assigned_to: Set(body.assigned_to),
        resolution: Set(None),
        created_by: Set(caller.subject),
        created_at: Set(now),
        updated_at: Set(now),
        resolved_at: Set(None),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    let event = ComplaintFiled {
        feedback_id: case.id,
        dealer_id,
        customer_id: case.customer_id,
        kind: case.kind.clone(),
        severity: case.severity.clone(),
        channel: case.channel.clone(),
        assigned_to: case.assigned_to,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(FeedbackDto::from(case)))
}

async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<feedback::Model, ApiError> {
    super::find_visible::<feedback::Entity>(db, id, "feedback", |row| {
        caller.ensure_dealer(row.dealer_id)?;
        // Dealer staff see the cases they filed or were given.
        if caller.sees_all_of_dealer()
            || row.created_by == caller.subject
            || row.assigned_to == Some(caller.subject)
        {
            Ok(())
        } else {
            Err(ApiError::not_found("no such feedback"))
        }
    })
    .await
}

/// One feedback case.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(FeedbackDto::from(
        visible(state.db.conn(), &caller, *id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignFeedback {
    pub assignee_id: Uuid,
}

/// Gives the case to someone (managers).
#[utoipa::path(post, path = "/api/v1/feedback/{id}/assign", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AssignFeedback,
    responses((status = 200, body = FeedbackDto), (status = 409, description = "Closed", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn assign(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<AssignFeedback>,
) -> ApiResult<HttpResponse> {
    let case = visible(state.db.conn(), &caller, *id).await?;
    if case.status == "closed" {
        return Err(ApiError::illegal_transition("closed", "assign", Vec::new()));
    }
    let mut txn = state.db.begin().await?;
    feedback::Entity::update_many()
        .col_expr(feedback::Column::AssignedTo, Expr::value(body.assignee_id))
        .col_expr(feedback::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .col_expr(
            feedback::Column::Version,
            Expr::col(feedback::Column::Version).add(1),
        )
        .filter(feedback::Column::Id.eq(case.id))
        .exec(&*txn)
        .await?;
    let event = ComplaintAssigned {
        feedback_id: case.id,
        dealer_id: case.dealer_id,
        customer_id: case.customer_id,
        kind: case.kind.clone(),
        severity: case.severity.clone(),
        assigned_to: body.assignee_id,
        assigned_by: caller.subject,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(FeedbackDto::from(
        visible(state.db.conn(), &caller, *id).await?,
    )))
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
    action: &str,
    note: FeedbackNote,
) -> ApiResult<HttpResponse> {
    let case = visible(state.db.conn(), &caller, id).await?;
    let next = lifecycle::feedback_next(&case.status, action)?;
    let now = chrono::Utc::now();
    let mut update = feedback::Entity::update_many()
        .col_expr(feedback::Column::Status, Expr::value(next))
        .col_expr(feedback::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            feedback::Column::Version,
            Expr::col(feedback::Column::Version).add(1),
        );
    match action {
        "resolve" => {
            let Some(resolution) = note.resolution.filter(|r| !r.trim().is_empty()) else {
                return Err(ApiError::invalid_field(
                    "resolution",
                    "say how it was resolved",
                ));
            };
            update = update
                .col_expr(feedback::Column::Resolution, Expr::value(resolution))
                .col_expr(feedback::Column::ResolvedAt, Expr::value(now));
        }
        "start" if case.assigned_to.is_none() => {
            // Whoever starts an unassigned case takes it.
            update = update.col_expr(feedback::Column::AssignedTo, Expr::value(caller.subject));
        }
        _ => {}
    }
    let txn = state.db.begin().await?;
    let moved = update
        .filter(feedback::Column::Id.eq(id))
        .filter(feedback::Column::Status.eq(case.status.as_str()))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::conflict(
            "the case changed while this request ran; reload it",
        ));
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(FeedbackDto::from(
        visible(state.db.conn(), &caller, id).await?,
    )))
}

/// Work on the case begins.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/start", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn start(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "start", FeedbackNote::default()).await
}

/// Resolved, saying how.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/resolve", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = FeedbackNote,
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<FeedbackNote>,
) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "resolve", body.into_inner()).await
}

/// The customer agrees it is settled.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/close", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn close(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "close", FeedbackNote::default()).await
}

/// Not settled after all: back to work.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/reopen", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FeedbackDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reopen(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(state, caller, *id, "reopen", FeedbackNote::default()).await
}
