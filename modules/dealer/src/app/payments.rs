//! Customer payments on a contracted order: recorded once (idempotent at the edge), applied to
//! the instalments oldest first; the last one makes the order paid and the unit sold.

use super::{
    sales_orders::{detailed, visible, OrderView},
    Services,
};
use crate::domain::{
    inventory::UnitStatus,
    payments::{allocate, PaymentMethod},
    sales_orders::{OrderAction, SalesOrderStatus},
};
use crate::store::{customer_payments, instalments, inventory_units, sales_orders};
use contracts::{events::dealer::PaymentReceived, Money};
use kernel::{store::StatusChange, Caller, DomainError, DomainResult, Lifecycle};
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The payments received for an order, oldest first.
pub async fn list(
    services: &Services,
    caller: &Caller,
    order_id: Uuid,
) -> DomainResult<Vec<customer_payments::Model>> {
    let db = services.db.conn();
    let order = visible(db, caller, order_id).await?;
    customer_payments::of_order(db, order.id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPayment {
    /// Minor units, at most what is outstanding.
    #[validate(range(min = 1))]
    pub amount: i64,
    pub method: PaymentMethod,
    #[validate(length(min = 1, max = 80))]
    pub reference: String,
}

/// Records a customer payment on a contracted order.
pub async fn pay(
    services: &Services,
    caller: &Caller,
    order_id: Uuid,
    input: NewPayment,
) -> DomainResult<OrderView> {
    let order = visible(services.db.conn(), caller, order_id).await?;
    order.status.apply(OrderAction::Pay)?;
    let amount = Money(input.amount);
    let after = order.balance().receive(amount)?;
    let now = chrono::Utc::now();
    let mut txn = services.db.begin().await?;
    if !sales_orders::add_payment(&*txn, &order, amount).await? {
        return Err(DomainError::changed_meanwhile("sales order"));
    }
    let payment = customer_payments::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order.id),
        dealer_id: Set(order.dealer_id),
        amount: Set(amount.0),
        method: Set(input.method),
        reference: Set(input.reference),
        recorded_by: Set(caller.subject),
        received_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    let schedule: Vec<_> = instalments::of_order(&*txn, order.id)
        .await?
        .iter()
        .map(instalments::Model::instalment)
        .collect();
    for (id, paid) in allocate(&schedule, amount)? {
        instalments::set_paid(&*txn, id, paid).await?;
    }
    if after.is_settled() {
        StatusChange::<sales_orders::Entity>::new(order.id, order.status, SalesOrderStatus::Paid)
            .exec(&*txn)
            .await?;
        inventory_units::set_status_of_order(&*txn, order.id, UnitStatus::Sold).await?;
    }
    let event = PaymentReceived {
        payment_id: payment.id,
        order_id: order.id,
        dealer_id: order.dealer_id,
        customer_id: order.customer_id,
        amount,
        method: input.method.as_str().to_owned(),
        paid_total: after.paid,
        outstanding: after.outstanding()?,
        received_at: now,
    };
    kernel::events::publish(&mut txn, &event).await?;
    // Read inside the transaction: with an Idempotency-Key the answer commits with the payment.
    let view = detailed(&*txn, visible(&*txn, caller, order_id).await?).await?;
    txn.commit().await?;
    Ok(view)
}
