//! `/customers/{id}/export` and `/erase`: the customer's rights of access and erasure.

use super::{CustomerDto, State};
use crate::app::privacy::{self as use_case, CustomerRecord};
use actix_web::{web, HttpResponse};
use kernel::{ApiResult, Caller};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// Everything held about a customer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerExport {
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub customer: CustomerDto,
    #[schema(value_type = Vec<Object>)]
    pub leads: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub test_drives: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub feedback: Vec<serde_json::Value>,
    pub timeline: Vec<crate::domain::timeline::TimelineEntry>,
}

impl From<CustomerRecord> for CustomerExport {
    fn from(record: CustomerRecord) -> Self {
        let leads = record
            .leads
            .into_iter()
            .map(|(lead, history)| {
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
        let test_drives = record
            .test_drives
            .into_iter()
            .map(|d| {
                json!({
                    "id": d.id, "branchId": d.branch_id, "variantId": d.variant_id, "vin": d.vin,
                    "startsAt": d.starts_at, "endsAt": d.ends_at, "status": d.status, "notes": d.notes,
                    "rating": d.rating, "feedbackComment": d.feedback_comment,
                })
            })
            .collect();
        let feedback = record
            .feedback
            .into_iter()
            .map(|f| {
                json!({
                    "id": f.id, "kind": f.kind, "severity": f.severity, "channel": f.channel,
                    "subject": f.subject, "description": f.description, "status": f.status,
                    "resolution": f.resolution, "createdAt": f.created_at,
                })
            })
            .collect();
        Self {
            exported_at: chrono::Utc::now(),
            customer: record.customer.into(),
            leads,
            test_drives,
            feedback,
            timeline: record.timeline,
        }
    }
}

/// Exports all data held about the customer (managers; the customer's right of access).
#[utoipa::path(get, path = "/api/v1/customers/{id}/export", tag = "customer", operation_id = "exportCustomer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerExport), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn export(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let record = use_case::export(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"customer-{}.json\"", id.as_ref()),
        ))
        .json(CustomerExport::from(record)))
}

/// Anonymises the customer: name, contact details, address, birth date, tax number and every
/// free-text note in the schema that could describe them. Leads, drives and feedback stay (with
/// their stages, times and ratings) so reports keep their counts. Cannot be undone.
#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "customer", operation_id = "eraseCustomer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerDto),
        (status = 409, description = "Already erased", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn erase(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let customer = use_case::erase(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(CustomerDto::from(customer)))
}
