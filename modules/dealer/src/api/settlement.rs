//! From an approved order to a delivered vehicle: contract, payments, delivery; and the sweep
//! that flags overdue instalments.

use super::{orders, State};
use crate::store::{
    contracts as sale_contracts, customer_payments, instalments, inventory_units, sales_orders,
};
use actix_web::{web, HttpResponse};
use contracts::{events::dealer as events, Money};
use kernel::{validation::ValidJson, ApiError, ApiResult, Caller, Db, Role, WriteTxn};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

async fn respond(db: &State, caller: &Caller, id: Uuid) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), caller, id).await?;
    Ok(HttpResponse::Ok().json(orders::detailed(db.conn(), order).await?))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractInput {
    #[validate(length(max = 20000))]
    pub terms: Option<String>,
}

/// Drafts the sales contract of an approved order.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/contract", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ContractInput,
    responses((status = 200, body = orders::OrderDto), (status = 409, description = "Not approved, or already drafted", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn draft_contract(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<ContractInput>,
) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), &caller, *id).await?;
    crate::domain::lifecycle::order_check(&order.status, "contract")?;
    let contract_id = Uuid::now_v7();
    let txn = db.begin().await?;
    sale_contracts::ActiveModel {
        id: Set(contract_id),
        number: Set(orders::document_number("SC", contract_id)),
        order_id: Set(order.id),
        status: Set("draft".into()),
        terms: Set(body.into_inner().terms),
        signed_at: Set(None),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await
    .map_err(|e| match ApiError::from(e) {
        dup if dup.kind() == kernel::error::ErrorKind::Conflict => {
            ApiError::conflict("this order already has a contract")
                .with_code(kernel::error::ErrorCode::ContractExists)
        }
        other => other,
    })?;
    txn.commit().await?;
    respond(&db, &caller, *id).await
}

/// The customer signs the drafted contract; the order is then contracted and can be paid.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/sign", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = orders::OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn sign(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), &caller, *id).await?;
    let mut txn = db.begin().await?;
    orders::advance(&txn, &order, "sign", "contracted", None).await?;
    let now = chrono::Utc::now();
    let contract = sale_contracts::Entity::find()
        .filter(sale_contracts::Column::OrderId.eq(order.id))
        .filter(sale_contracts::Column::Status.eq("draft"))
        .one(&*txn)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("draft the contract before signing it")
                .with_code(kernel::error::ErrorCode::NoContract)
        })?;
    sale_contracts::Entity::update_many()
        .col_expr(sale_contracts::Column::Status, Expr::value("signed"))
        .col_expr(sale_contracts::Column::SignedAt, Expr::value(now))
        .filter(sale_contracts::Column::Id.eq(contract.id))
        .exec(&*txn)
        .await?;
    let event = events::ContractSigned {
        contract_id: contract.id,
        contract_number: contract.number,
        order_id: order.id,
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        total: Money(order.total),
        signed_at: now,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    respond(&db, &caller, *id).await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub id: Uuid,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub recorded_by: Uuid,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The payments received for an order.
#[utoipa::path(get, path = "/api/v1/sales-orders/{id}/payments", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [PaymentDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list_payments(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), &caller, *id).await?;
    let rows = customer_payments::Entity::find()
        .filter(customer_payments::Column::OrderId.eq(order.id))
        .order_by_asc(customer_payments::Column::ReceivedAt)
        .all(db.conn())
        .await?;
    let out: Vec<PaymentDto> = rows
        .into_iter()
        .map(|p| PaymentDto {
            id: p.id,
            amount: Money(p.amount),
            method: p.method,
            reference: p.reference,
            recorded_by: p.recorded_by,
            received_at: p.received_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInput {
    /// Minor units, at most what is outstanding.
    #[validate(range(min = 1))]
    pub amount: i64,
    /// cash | card | transfer | financing
    pub method: String,
    #[validate(length(min = 1, max = 80))]
    pub reference: String,
}

/// Records a customer payment on a contracted order, applied to the instalments in order.
/// Send an `Idempotency-Key`: a retried request is then applied once.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/payments", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")), request_body = PaymentInput,
    responses((status = 200, body = orders::OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn pay(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<PaymentInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if !["cash", "card", "transfer", "financing"].contains(&body.method.as_str()) {
        return Err(ApiError::invalid_field(
            "method",
            "must be cash, card, transfer or financing",
        ));
    }
    let order = orders::visible(db.conn(), &caller, *id).await?;
    crate::domain::lifecycle::order_check(&order.status, "payments")?;
    let outstanding = order.payable - order.paid_total;
    if body.amount > outstanding {
        return Err(ApiError::invalid_field(
            "amount",
            format!("exceeds the outstanding {outstanding}"),
        ));
    }
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    // Conditional on what was read, so two payments racing cannot overpay.
    let applied = sales_orders::Entity::update_many()
        .col_expr(
            sales_orders::Column::PaidTotal,
            Expr::col(sales_orders::Column::PaidTotal).add(body.amount),
        )
        .col_expr(sales_orders::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            sales_orders::Column::Version,
            Expr::col(sales_orders::Column::Version).add(1),
        )
        .filter(sales_orders::Column::Id.eq(order.id))
        .filter(sales_orders::Column::PaidTotal.eq(order.paid_total))
        .filter(sales_orders::Column::Status.eq("contracted"))
        .exec(&*txn)
        .await?
        .rows_affected;
    if applied != 1 {
        return Err(ApiError::conflict(
            "the order changed while this payment was recorded; reload it",
        ));
    }
    let payment = customer_payments::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order.id),
        dealer_id: Set(order.dealer_id),
        amount: Set(body.amount),
        method: Set(body.method.clone()),
        reference: Set(body.reference),
        recorded_by: Set(caller.subject),
        received_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    settle_instalments(&txn, order.id, body.amount).await?;
    let paid_total = order.paid_total + body.amount;
    if paid_total == order.payable {
        orders::advance(&txn, &order, "payments", "paid", None).await?;
        inventory_units::Entity::update_many()
            .col_expr(inventory_units::Column::Status, Expr::value("sold"))
            .col_expr(inventory_units::Column::UpdatedAt, Expr::value(now))
            .filter(inventory_units::Column::SalesOrderId.eq(order.id))
            .exec(&*txn)
            .await?;
    }
    let event = events::PaymentReceived {
        payment_id: payment.id,
        order_id: order.id,
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        amount: Money(body.amount),
        method: body.method,
        paid_total: Money(paid_total),
        outstanding: Money(order.payable - paid_total),
        received_at: now,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    respond(&db, &caller, *id).await
}

/// Applies a payment to the oldest unpaid instalments first.
async fn settle_instalments(txn: &WriteTxn, order_id: Uuid, amount: i64) -> Result<(), ApiError> {
    let rows = instalments::Entity::find()
        .filter(instalments::Column::OrderId.eq(order_id))
        .order_by_asc(instalments::Column::Number)
        .all(&**txn)
        .await?;
    let mut left = amount;
    for row in rows {
        if left == 0 {
            break;
        }
        let take = (row.amount - row.paid).min(left);
        if take > 0 {
            instalments::Entity::update_many()
                .col_expr(instalments::Column::Paid, Expr::value(row.paid + take))
                .filter(instalments::Column::Id.eq(row.id))
                .exec(&**txn)
                .await?;
            left -= take;
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryInput {
    pub scheduled_at: chrono::DateTime<chrono::Utc>,
}

/// Books the hand-over of a paid vehicle.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/delivery", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = DeliveryInput,
    responses((status = 200, body = orders::OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn schedule_delivery(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<DeliveryInput>,
) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), &caller, *id).await?;
    let txn = db.begin().await?;
    orders::advance(&txn, &order, "delivery", "delivery_scheduled", None).await?;
    sales_orders::Entity::update_many()
        .col_expr(
            sales_orders::Column::DeliveryScheduledAt,
            Expr::value(body.into_inner().scheduled_at),
        )
        .filter(sales_orders::Column::Id.eq(order.id))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    respond(&db, &caller, *id).await
}

/// Hands the vehicle over: the unit is delivered and the sale complete.
#[utoipa::path(post, path = "/api/v1/sales-orders/{id}/deliver", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = orders::OrderDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn deliver(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let order = orders::visible(db.conn(), &caller, *id).await?;
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    orders::advance(&txn, &order, "deliver", "delivered", None).await?;
    sales_orders::Entity::update_many()
        .col_expr(sales_orders::Column::DeliveredAt, Expr::value(now))
        .filter(sales_orders::Column::Id.eq(order.id))
        .exec(&*txn)
        .await?;
    inventory_units::Entity::update_many()
        .col_expr(inventory_units::Column::Status, Expr::value("delivered"))
        .col_expr(inventory_units::Column::UpdatedAt, Expr::value(now))
        .filter(inventory_units::Column::SalesOrderId.eq(order.id))
        .exec(&*txn)
        .await?;
    let sale = sale_facts(&txn, &order).await?;
    let event = events::VehicleDelivered {
        order_id: order.id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        branch_id: order.branch_id,
        customer_id: order.customer_id,
        staff_id: order.staff_id,
        vin: order.vin.clone().unwrap_or_default(),
        variant_id: order.variant_id,
        colour_id: order.colour_id,
        total: Money(order.total),
        delivered_at: now,
        region: sale.region,
        model_id: sale.model_id,
        list_price: sale.breakdown.subtotal,
        discount: sale.discount,
        tax: sale.breakdown.tax,
        cost: sale.cost,
        promotions: sale
            .breakdown
            .promotions
            .iter()
            .map(|p| events::PromotionApplied {
                promotion_id: p.promotion_id,
                name: p.name.clone(),
                source: p.source.clone(),
                amount: p.amount,
            })
            .collect(),
        received_at: sale.received_at,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    respond(&db, &caller, *id).await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueCheck {
    /// Instalments newly found overdue (one `instalment_overdue` event each).
    pub flagged: usize,
}

/// Flags instalments past due and not fully paid, once each (managers: their dealer's). The
/// module also runs this hourly.
#[utoipa::path(post, path = "/api/v1/sales-orders/overdue-check", tag = "dealer", security(("bearer" = [])),
    responses((status = 200, body = OverdueCheck)))]
pub async fn overdue_check(db: State, caller: Caller) -> ApiResult<HttpResponse> {
    let scope = if caller.role == Role::Admin {
        None
    } else {
        caller.dealer_id
    };
    let flagged = flag_overdue_instalments(&db, scope).await?;
    Ok(HttpResponse::Ok().json(OverdueCheck { flagged }))
}

/// Publishes `instalment_overdue` once per overdue instalment (a conditional update decides).
#[tracing::instrument(skip(db))]
pub async fn flag_overdue_instalments(db: &Db, dealer: Option<Uuid>) -> Result<usize, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let due = instalments::Entity::find()
        .filter(instalments::Column::DueDate.lt(today))
        .filter(instalments::Column::OverdueNotifiedAt.is_null())
        .filter(Expr::col(instalments::Column::Paid).lt(Expr::col(instalments::Column::Amount)))
        .all(db.conn())
        .await?;
    let mut flagged = 0;
    for row in due {
        let Some(order) = sales_orders::Entity::find_by_id(row.order_id)
            .one(db.conn())
            .await?
        else {
            continue;
        };
        if order.status == "cancelled" || dealer.is_some_and(|d| d != order.dealer_id) {
            continue;
        }
        let mut txn = db.begin().await?;
        let won = instalments::Entity::update_many()
            .col_expr(
                instalments::Column::OverdueNotifiedAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(instalments::Column::Id.eq(row.id))
            .filter(instalments::Column::OverdueNotifiedAt.is_null())
            .exec(&*txn)
            .await?
            .rows_affected;
        if won == 1 {
            let event = events::InstalmentOverdue {
                order_id: order.id,
                dealer_id: order.dealer_id,
                customer_id: order.customer_id,
                instalment_number: row.number,
                due_date: row.due_date,
                amount_due: Money(row.amount - row.paid),
            };
            kernel::events::publish(&mut txn, &event).await?;
            txn.commit().await?;
            flagged += 1;
        }
    }
    Ok(flagged)
}

/// What reports need to know of a sale besides the order: region, model, cost, discounts.
struct SaleFacts {
    region: String,
    model_id: Option<Uuid>,
    breakdown: crate::domain::pricing::Breakdown,
    discount: Money,
    cost: Money,
    received_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn sale_facts(txn: &WriteTxn, order: &sales_orders::Model) -> Result<SaleFacts, ApiError> {
    use crate::store::{catalog_variants, dealers};
    let breakdown: crate::domain::pricing::Breakdown =
        serde_json::from_value(order.breakdown.clone()).map_err(ApiError::internal)?;
    let promotions: i64 = breakdown.promotions.iter().map(|p| p.amount.0).sum();
    let discount = Money(promotions.saturating_add(breakdown.manual_discount.0));
    let region = dealers::Entity::find_by_id(order.dealer_id)
        .one(&**txn)
        .await?
        .map(|d| d.region)
        .unwrap_or_default();
    let model_id = catalog_variants::Entity::find_by_id(order.variant_id)
        .one(&**txn)
        .await?
        .map(|v| v.model_id);
    let unit = inventory_units::Entity::find()
        .filter(inventory_units::Column::SalesOrderId.eq(order.id))
        .one(&**txn)
        .await?;
    Ok(SaleFacts {
        region,
        model_id,
        breakdown,
        discount,
        cost: Money(unit.as_ref().map_or(0, |u| u.cost)),
        received_at: unit.and_then(|u| u.received_at),
    })
}
