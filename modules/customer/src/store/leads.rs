//! `customer.leads`: the sales pipeline of a dealer.

use super::{search, Visibility};
use crate::domain::leads::{LeadSource, LeadStage};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryOrder, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Uuid,
    pub source: LeadSource,
    pub owner_id: Uuid,
    pub stage: LeadStage,
    pub variant_id: Option<Uuid>,
    pub notes: Option<String>,
    pub lost_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("lead", Stage);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LeadFilter {
    pub dealer_id: Option<Uuid>,
    pub stage: Option<LeadStage>,
    pub owner_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub source: Option<LeadSource>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: Visibility,
    filter: &LeadFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = scope
        .apply(Entity::find(), Column::DealerId, Column::OwnerId)
        .apply_if(filter.stage, |q, v| q.filter(Column::Stage.eq(v)))
        .apply_if(filter.owner_id, |q, v| q.filter(Column::OwnerId.eq(v)))
        .apply_if(filter.customer_id, |q, v| {
            q.filter(Column::CustomerId.eq(v))
        })
        .apply_if(filter.source, |q, v| q.filter(Column::Source.eq(v)))
        .apply_if(search::term(params.query()), |select, q| {
            select.filter(
                search::any_contains([Column::Notes, Column::LostReason], q)
                    .add(Column::CustomerId.in_subquery(search::customers_named(q))),
            )
        });
    let sortable = [
        ("createdAt", Column::CreatedAt),
        ("updatedAt", Column::UpdatedAt),
        ("stage", Column::Stage),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::CreatedAt, Order::Desc),
            Column::Id,
        )
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// The open leads of a customer at a dealer.
pub async fn open_of_customer(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    customer_id: Uuid,
) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::CustomerId.eq(customer_id))
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Stage.is_in(LeadStage::OPEN))
        .all(db)
        .await?)
}

/// Every lead of a customer, oldest first.
pub async fn of_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::CustomerId.eq(customer_id))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?)
}

/// Clears the free text of a customer's leads (erasure).
pub async fn forget_notes_of_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Notes, Expr::value(Option::<String>::None))
        .col_expr(Column::LostReason, Expr::value(Option::<String>::None))
        .filter(Column::CustomerId.eq(customer_id))
        .exec(db)
        .await?;
    Ok(())
}
