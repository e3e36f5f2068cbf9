//! Dealer payments against invoices: reported by the dealer, confirmed by OEM staff.

use super::{dealer_scope, is_oem, State};
use crate::domain::lifecycle::invoice_status;
use crate::store::{dealer_invoices, dealer_payments};
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, WriteTxn,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, Order, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub id: Uuid,
    pub invoice_id: Uuid,
    pub dealer_id: Uuid,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    /// pending (reported by the dealer) | confirmed
    pub status: String,
    pub recorded_by: Uuid,
    pub confirmed_by: Option<Uuid>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<dealer_payments::Model> for PaymentDto {
    fn from(p: dealer_payments::Model) -> Self {
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub dealer_id: Option<Uuid>,
    pub invoice_id: Option<Uuid>,
    pub status: Option<String>,
}

/// Dealer payments; a dealer manager sees their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-payments", tag = "manufacturer", security(("bearer" = [])), params(ListParams, PaymentFilter),
    responses((status = 200, body = Page<PaymentDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<PaymentFilter>,
) -> ApiResult<HttpResponse> {
    use dealer_payments::Column as C;
    let mut select = dealer_payments::Entity::find();
    if let Some(dealer) = dealer_scope(&caller, filter.dealer_id)? {
        select = select.filter(C::DealerId.eq(dealer));
    }
    if let Some(id) = filter.invoice_id {
        select = select.filter(C::InvoiceId.eq(id));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    let page = query
        .fetch(
            db.conn(),
            select,
            &[("receivedAt", C::ReceivedAt), ("amount", C::Amount)],
            (C::ReceivedAt, Order::Desc),
            C::Id,
        )
        .await?;
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
#[utoipa::path(post, path = "/api/v1/dealer-payments", tag = "manufacturer", security(("bearer" = [])), request_body = RecordPayment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    responses((status = 201, body = PaymentDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn record(
    db: State,
    caller: Caller,
    body: ValidJson<RecordPayment>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if !["transfer", "card", "cash", "offset"].contains(&body.method.as_str()) {
        return Err(ApiError::invalid_field(
            "method",
            "must be transfer, card, cash or offset",
        ));
    }
    let invoice = dealer_invoices::Entity::find_by_id(body.invoice_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such invoice"))?;
    dealer_scope(&caller, Some(invoice.dealer_id))?;
    if body.amount > invoice.amount - invoice.paid {
        return Err(ApiError::invalid_field(
            "amount",
            format!("exceeds the outstanding {}", invoice.amount - invoice.paid),
        ));
    }
    let now = chrono::Utc::now();
    let confirmed = is_oem(&caller);
    let mut txn = db.begin().await?;
    let payment = dealer_payments::ActiveModel {
        id: Set(Uuid::now_v7()),
        invoice_id: Set(invoice.id),
        dealer_id: Set(invoice.dealer_id),
        amount: Set(body.amount),
        method: Set(body.method),
        reference: Set(body.reference),
        status: Set(if confirmed { "confirmed" } else { "pending" }.to_owned()),
        recorded_by: Set(caller.subject),
        confirmed_by: Set(confirmed.then_some(caller.subject)),
        received_at: Set(now),
        confirmed_at: Set(confirmed.then_some(now)),
    }
    .insert(&*txn)
    .await?;
    if confirmed {
        apply(&mut txn, &payment).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Created().json(PaymentDto::from(payment)))
}

/// Adds a confirmed payment to its invoice; refuses to overpay even when two confirmations race.
async fn apply(txn: &mut WriteTxn, payment: &dealer_payments::Model) -> Result<(), ApiError> {
    let applied = dealer_invoices::Entity::update_many()
        .col_expr(
            dealer_invoices::Column::Paid,
            Expr::col(dealer_invoices::Column::Paid).add(payment.amount),
        )
        .filter(dealer_invoices::Column::Id.eq(payment.invoice_id))
        .filter(
            Expr::expr(Expr::col(dealer_invoices::Column::Paid).add(payment.amount))
                .lte(Expr::col(dealer_invoices::Column::Amount)),
        )
        .exec(&**txn)
        .await?
        .rows_affected;
    if applied != 1 {
        return Err(
            ApiError::conflict("the payment exceeds what is outstanding on the invoice")
                .with_code(kernel::error::ErrorCode::Overpayment),
        );
    }
    let invoice = dealer_invoices::Entity::find_by_id(payment.invoice_id)
        .one(&**txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such invoice"))?;
    dealer_invoices::Entity::update_many()
        .col_expr(
            dealer_invoices::Column::Status,
            Expr::value(invoice_status(invoice.amount, invoice.paid)),
        )
        .filter(dealer_invoices::Column::Id.eq(invoice.id))
        .exec(&**txn)
        .await?;
    let recorded = contracts::events::manufacturer::DealerPaymentRecorded {
        payment_id: payment.id,
        invoice_id: invoice.id,
        dealer_id: invoice.dealer_id,
        amount: contracts::Money(payment.amount),
        invoice_outstanding: contracts::Money(invoice.amount - invoice.paid),
        paid_at: chrono::Utc::now(),
    };
    kernel::events::publish(txn, &recorded).await?;
    Ok(())
}

/// OEM staff confirm a payment the dealer reported; it then counts against the invoice.
#[utoipa::path(post, path = "/api/v1/dealer-payments/{id}/confirm", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PaymentDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn confirm(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let payment = dealer_payments::Entity::find_by_id(*id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such payment"))?;
    let mut txn = db.begin().await?;
    let moved = dealer_payments::Entity::update_many()
        .col_expr(dealer_payments::Column::Status, Expr::value("confirmed"))
        .col_expr(
            dealer_payments::Column::ConfirmedBy,
            Expr::value(caller.subject),
        )
        .col_expr(
            dealer_payments::Column::ConfirmedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(dealer_payments::Column::Id.eq(payment.id))
        .filter(dealer_payments::Column::Status.eq("pending"))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::illegal_transition(
            &payment.status,
            "confirm",
            vec![],
        ));
    }
    apply(&mut txn, &payment).await?;
    txn.commit().await?;
    let payment = dealer_payments::Entity::find_by_id(*id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such payment"))?;
    Ok(HttpResponse::Ok().json(PaymentDto::from(payment)))
}
