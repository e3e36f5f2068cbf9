//! `customer.lead_stage_history`: every stage a lead went through, who moved it and why.

use crate::domain::leads::LeadStage;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, QueryOrder, QuerySelect, QueryTrait, Set};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "lead_stage_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lead_id: Uuid,
    pub from_stage: Option<LeadStage>,
    pub to_stage: LeadStage,
    pub reason: Option<String>,
    /// None when an event moved the lead (a delivery wins it).
    pub changed_by: Option<Uuid>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn record(
    db: &impl ConnectionTrait,
    lead_id: Uuid,
    from: Option<LeadStage>,
    to: LeadStage,
    reason: Option<String>,
    changed_by: Option<Uuid>,
    changed_at: DateTimeUtc,
) -> DomainResult<()> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead_id),
        from_stage: Set(from),
        to_stage: Set(to),
        reason: Set(reason),
        changed_by: Set(changed_by),
        changed_at: Set(changed_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The history of each of `leads`, oldest change first, in one query.
pub async fn of_leads(
    db: &impl ConnectionTrait,
    leads: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, Vec<Model>>> {
    let mut history: HashMap<Uuid, Vec<Model>> = HashMap::new();
    for change in Entity::find()
        .filter(Column::LeadId.is_in(leads))
        .order_by_asc(Column::ChangedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?
    {
        history.entry(change.lead_id).or_default().push(change);
    }
    Ok(history)
}

/// Clears the reasons given on a customer's leads (erasure).
pub async fn forget_reasons_of_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
) -> DomainResult<()> {
    let customers_leads = super::leads::Entity::find()
        .select_only()
        .column(super::leads::Column::Id)
        .filter(super::leads::Column::CustomerId.eq(customer_id))
        .into_query();
    Entity::update_many()
        .col_expr(Column::Reason, Expr::value(Option::<String>::None))
        .filter(Column::LeadId.in_subquery(customers_leads))
        .exec(db)
        .await?;
    Ok(())
}
