//! `dealer.sales_orders`: retail sales, each holding one VIN.

use super::Visibility;
use crate::domain::{
    payments::Balance, pricing::Breakdown, sales_orders::SalesOrderStatus, schedule::PaymentPlan,
};
use chrono::{DateTime, Utc};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "sales_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub quotation_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vin: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub breakdown: Breakdown,
    /// The vehicle's price (minor units).
    pub total: i64,
    /// Interest of an instalment plan.
    pub interest: i64,
    /// total + interest: what the customer pays in all.
    pub payable: i64,
    pub paid_total: i64,
    pub manual_discount_bp: i32,
    pub needs_approval: bool,
    pub approved_by: Option<Uuid>,
    pub payment_plan: PaymentPlan,
    pub status: SalesOrderStatus,
    pub status_reason: Option<String>,
    pub delivery_scheduled_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("sales order", Status);

impl Model {
    pub fn balance(&self) -> Balance {
        Balance {
            payable: Money(self.payable),
            paid: Money(self.paid_total),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    pub status: Option<SalesOrderStatus>,
    pub customer_id: Option<Uuid>,
    pub dealer_id: Option<Uuid>,
}

/// Orders (`q` searches the order number).
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Visibility,
    filter: &OrderFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    use Column as C;
    let select = scope
        .apply(Entity::find(), C::DealerId, C::StaffId)
        .apply_if(filter.status, |q, v| q.filter(C::Status.eq(v)))
        .apply_if(filter.customer_id, |q, v| q.filter(C::CustomerId.eq(v)))
        .apply_if(params.query(), |q, v| {
            q.filter(C::Number.like(kernel::store::like_contains(&v.to_uppercase())))
        });
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("total", C::Total),
        ("status", C::Status),
    ];
    params
        .fetch(db, select, &sortable, (C::CreatedAt, Order::Desc), C::Id)
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// Adds a payment to the order, only while it is contracted and its paid total is still the
/// one read, so two payments racing cannot overpay. `false`: someone else changed it first.
pub async fn add_payment(
    db: &impl ConnectionTrait,
    order: &Model,
    amount: Money,
) -> DomainResult<bool> {
    let applied = Entity::update_many()
        .col_expr(
            Column::PaidTotal,
            Expr::col(Column::PaidTotal).add(amount.0),
        )
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::Id.eq(order.id))
        .filter(Column::PaidTotal.eq(order.paid_total))
        .filter(Column::Status.eq(SalesOrderStatus::Contracted))
        .exec(db)
        .await?
        .rows_affected;
    Ok(applied == 1)
}

/// How many of the dealer's orders are in progress.
pub async fn count_open(db: &impl ConnectionTrait, dealer_id: Uuid) -> DomainResult<u64> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Status.is_in(SalesOrderStatus::OPEN))
        .count(db)
        .await?)
}

/// The dealer's orders delivered since `since`.
pub async fn delivered_since(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    since: DateTime<Utc>,
) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Status.eq(SalesOrderStatus::Delivered))
        .filter(Column::DeliveredAt.gte(since))
        .all(db)
        .await?)
}
