//! `dealer.customer_payments`: money received for an order.

use crate::domain::payments::PaymentMethod;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "customer_payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    /// Minor units.
    pub amount: i64,
    pub method: PaymentMethod,
    pub reference: String,
    pub recorded_by: Uuid,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The order's payments, oldest first.
pub async fn of_order(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::OrderId.eq(order_id))
        .order_by_asc(Column::ReceivedAt)
        .all(db)
        .await?)
}
