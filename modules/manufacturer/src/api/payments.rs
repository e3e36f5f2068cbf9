//! Dealer payments against invoices: reported by the dealer, confirmed by OEM staff.

use super::State;
use crate::app::payments::{self as use_case, NewPayment, Payment, PaymentFilter};
use crate::domain::lifecycle::{DealerPaymentMethod, PaymentStatus};
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub dealer_id: Uuid,
    pub amount: Money,
    pub method: DealerPaymentMethod,
    pub reference: String,
    /// pending (reported by the dealer) | confirmed
    pub status: PaymentStatus,
    pub recorded_by: Uuid,
    pub confirmed_by: Option<Uuid>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Payment> for PaymentDto {
    fn from(p: Payment) -> Self {
        Self {
            id: p.id,
            invoice_id: p.invoice_id,
            dealer_id: p.dealer_id,
            amount: Money(p.amount),
            method: p.method,
            reference: p.reference,
            status: p.status,
            recorded_by: p.recorded_by,
            confirmed_by: p.confirmed_by,
            received_at: p.received_at,
            confirmed_at: p.confirmed_at,
        }
    }
}

/// Dealer payments; a dealer manager sees their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-payments", operation_id = "listDealerPayments", tag = "manufacturer", security(("bearer" = [])), params(ListParams, PaymentFilter),
    responses((status = 200, body = Page<PaymentDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<PaymentFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(PaymentDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordPayment {
    pub invoice_id: Uuid,
    /// Minor units, at most what is outstanding.
    #[validate(range(min = 1))]
    pub amount: i64,
    /// transfer | card | cash | offset
    pub method: String,
    #[validate(length(min = 1, max = 80))]
    pub reference: String,
}

/// Records a payment. A dealer manager's payment waits for OEM confirmation; one recorded by
/// OEM staff is confirmed at once. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/dealer-payments", operation_id = "recordDealerPayment", tag = "manufacturer", security(("bearer" = [])), request_body = RecordPayment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = PaymentDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn record(
    db: State,
    caller: Caller,
    body: ValidJson<RecordPayment>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewPayment {
        invoice_id: body.invoice_id,
        amount: body.amount,
        method: body.method,
        reference: body.reference,
    };
    let payment = use_case::record(&db, &caller, new).await?;
    Ok(HttpResponse::Created().json(PaymentDto::from(payment)))
}

/// OEM staff confirm a payment the dealer reported; it then counts against the invoice.
#[utoipa::path(post, path = "/api/v1/dealer-payments/{id}/confirm", operation_id = "confirmDealerPayment", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PaymentDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let payment = use_case::confirm(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(PaymentDto::from(payment)))
}
