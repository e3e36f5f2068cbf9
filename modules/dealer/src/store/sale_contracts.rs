//! `dealer.contracts`: the sales contract of an order (one per order).

use crate::domain::sale_contracts::ContractStatus;
use chrono::{DateTime, Utc};
use kernel::DomainResult;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub order_id: Uuid,
    pub status: ContractStatus,
    pub terms: Option<String>,
    pub signed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn of_order(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::OrderId.eq(order_id))
        .one(db)
        .await?)
}

/// Signs a drafted contract. `false`: it is no longer a draft.
pub async fn sign(db: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> DomainResult<bool> {
    let signed = Entity::update_many()
        .col_expr(Column::Status, Expr::value(ContractStatus::Signed))
        .col_expr(Column::SignedAt, Expr::value(at))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(ContractStatus::Draft))
        .exec(db)
        .await?
        .rows_affected;
    Ok(signed == 1)
}

/// The order was cancelled: so is its contract.
pub async fn cancel_of_order(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(ContractStatus::Cancelled))
        .filter(Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}
