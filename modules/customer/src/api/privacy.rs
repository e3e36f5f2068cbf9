//! GDPR-style rights: a customer's data exported in one document, and erasure that anonymises
//! every personal field in the schema while keeping the aggregates (leads, drives, counts).

use super::{customers::visible, State};
use crate::store::{customers, feedback, lead_stage_history, leads, test_drives};
use actix_web::{web, HttpResponse};
use contracts::{
    events::customer::{CustomerCreated, CustomerErased, CustomerUpdated},
    IntegrationEvent,
};
use kernel::{ApiError, ApiResult, Caller};
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Everything held about a customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerExport {
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub customer: super::customers::CustomerDto,
    #[schema(value_type = Vec<Object>)]
    pub leads: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub test_drives: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub feedback: Vec<serde_json::Value>,
    pub timeline: Vec<crate::timeline::TimelineEntry>,
}

/// Exports all data held about the customer (managers; the customer's right of access).
#[utoipa::path(get, path = "/api/v1/customers/{id}/export", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerExport), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn export(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let db = state.db.conn();
    let customer = visible(db, &caller, *id).await?;
    let lead_rows = leads::Entity::find()
        .filter(leads::Column::CustomerId.eq(customer.id))
        .order_by_asc(leads::Column::CreatedAt)
        .all(db)
        .await?;
    // Every lead's history in one query, then grouped (not one query per lead).
    let mut history_of: HashMap<Uuid, Vec<lead_stage_history::Model>> = HashMap::new();
    for change in lead_stage_history::Entity::find()
        .filter(lead_stage_history::Column::LeadId.is_in(lead_rows.iter().map(|l| l.id)))
        .order_by_asc(lead_stage_history::Column::ChangedAt)
        .order_by_asc(lead_stage_history::Column::Id)
        .all(db)
        .await?
    {
        history_of.entry(change.lead_id).or_default().push(change);
    }
    let lead_docs = lead_rows
        .into_iter()
        .map(|lead| {
            let history = history_of.remove(&lead.id).unwrap_or_default();
            json!({
                "id": lead.id, "source": lead.source, "stage": lead.stage, "ownerId": lead.owner_id,
                "variantId": lead.variant_id, "notes": lead.notes, "lostReason": lead.lost_reason,
                "createdAt": lead.created_at,
                "history": history.into_iter().map(|h| json!({
                    "from": h.from_stage, "to": h.to_stage, "reason": h.reason, "changedAt": h.changed_at,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let drives = test_drives::Entity::find()
        .filter(test_drives::Column::CustomerId.eq(customer.id))
        .order_by_asc(test_drives::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id, "branchId": d.branch_id, "variantId": d.variant_id, "vin": d.vin,
                "startsAt": d.starts_at, "endsAt": d.ends_at, "status": d.status, "notes": d.notes,
                "rating": d.rating, "feedbackComment": d.feedback_comment,
            })
        })
        .collect();
    let cases = feedback::Entity::find()
        .filter(feedback::Column::CustomerId.eq(customer.id))
        .order_by_asc(feedback::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|f| {
            json!({
                "id": f.id, "kind": f.kind, "severity": f.severity, "channel": f.channel,
                "subject": f.subject, "description": f.description, "status": f.status,
                "resolution": f.resolution, "createdAt": f.created_at,
            })
        })
        .collect();
    // The whole timeline, page by page.
    let mut timeline = Vec::new();
    for page in 1.. {
        let batch = state
            .timeline
            .list(customer.id, page, kernel::pagination::MAX_PAGE_SIZE)
            .await
            .map_err(ApiError::internal)?;
        let fetched = batch.items.len();
        timeline.extend(batch.items);
        if fetched == 0 || timeline.len() as u64 >= batch.total {
            break;
        }
    }
    let body = CustomerExport {
        exported_at: chrono::Utc::now(),
        customer: customer.into(),
        leads: lead_docs,
        test_drives: drives,
        feedback: cases,
        timeline,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"customer-{}.json\"", id.as_ref()),
        ))
        .json(body))
}

/// Removes the contact details from a directory event's payload (ids and consents stay false).
fn forget_contact(payload: &mut serde_json::Value) {
    if let Some(fields) = payload.as_object_mut() {
        for key in ["fullName", "email", "phone", "locale"] {
            fields.remove(key);
        }
        for key in ["consentEmail", "consentSms"] {
            fields.insert(key.into(), serde_json::Value::Bool(false));
        }
    }
}

/// The name an erased customer keeps.
pub const ERASED_NAME: &str = "Erased customer";

/// Anonymises the customer: name, contact details, address, birth date, tax number and every
/// free-text note in the schema that could describe them. Leads, drives and feedback stay (with
/// their stages, times and ratings) so reports keep their counts. Cannot be undone.
#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = super::customers::CustomerDto),
        (status = 409, description = "Already erased", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn erase(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let customer = visible(state.db.conn(), &caller, *id).await?;
    if customer.status == "erased" {
        return Err(ApiError::conflict("the customer is already erased")
            .with_code(kernel::error::ErrorCode::CustomerErased));
    }
    let now = chrono::Utc::now();
    let none = || Expr::value(Option::<String>::None);
    let mut txn = state.db.begin().await?;
    use customers::Column as C;
    let erased = customers::Entity::update_many()
        .col_expr(C::FullName, Expr::value(ERASED_NAME))
        .col_expr(C::SearchName, Expr::value(""))
        .col_expr(C::CompanyName, none())
        .col_expr(C::TaxNumber, none())
        .col_expr(C::Phone, none())
        .col_expr(C::PhoneNormalized, none())
        .col_expr(C::Email, none())
        .col_expr(C::EmailNormalized, none())
        .col_expr(C::Address, none())
        .col_expr(
            C::DateOfBirth,
            Expr::value(Option::<chrono::NaiveDate>::None),
        )
        .col_expr(C::Notes, none())
        .col_expr(C::ConsentEmail, Expr::value(false))
        .col_expr(C::ConsentSms, Expr::value(false))
        .col_expr(C::Status, Expr::value("erased"))
        .col_expr(C::ErasedAt, Expr::value(now))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(customer.id))
        .filter(C::Status.eq("active"))
        .exec(&*txn)
        .await?
        .rows_affected;
    if erased != 1 {
        return Err(ApiError::conflict("the customer is already erased")
            .with_code(kernel::error::ErrorCode::CustomerErased));
    }
    leads::Entity::update_many()
        .col_expr(leads::Column::Notes, none())
        .col_expr(leads::Column::LostReason, none())
        .filter(leads::Column::CustomerId.eq(customer.id))
        .exec(&*txn)
        .await?;
    let customers_leads = leads::Entity::find()
        .select_only()
        .column(leads::Column::Id)
        .filter(leads::Column::CustomerId.eq(customer.id))
        .into_query();
    lead_stage_history::Entity::update_many()
        .col_expr(lead_stage_history::Column::Reason, none())
        .filter(lead_stage_history::Column::LeadId.in_subquery(customers_leads))
        .exec(&*txn)
        .await?;
    test_drives::Entity::update_many()
        .col_expr(test_drives::Column::Notes, none())
        .col_expr(test_drives::Column::CancelReason, none())
        .col_expr(test_drives::Column::FeedbackComment, none())
        .filter(test_drives::Column::CustomerId.eq(customer.id))
        .exec(&*txn)
        .await?;
    feedback::Entity::update_many()
        .col_expr(feedback::Column::Subject, Expr::value("(erased)"))
        .col_expr(feedback::Column::Description, none())
        .col_expr(feedback::Column::Resolution, none())
        .filter(feedback::Column::CustomerId.eq(customer.id))
        .exec(&*txn)
        .await?;
    // The directory events carried the contact details: take them out of the outbox as well
    // (the consumers' copies are deleted on `customer_erased`).
    kernel::events::outbox::rewrite_payloads(
        &*txn,
        contracts::modules::CUSTOMER,
        &customer.id.to_string(),
        &[CustomerCreated::NAME, CustomerUpdated::NAME],
        forget_contact,
    )
    .await?;
    // Other modules' copies of the contact details (notification) are deleted on this event.
    let event = CustomerErased {
        customer_id: customer.id,
        dealer_id: customer.dealer_id,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    tracing::info!(customer = %customer.id, by = %caller.subject, "customer erased");
    let customer = visible(state.db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(super::customers::CustomerDto::from(customer)))
}
