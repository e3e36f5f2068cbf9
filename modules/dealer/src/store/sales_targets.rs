//! `dealer.sales_targets`: what the OEM expects a dealer to sell each month.

use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "sales_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    /// `YYYY-MM`
    pub period: String,
    pub target_units: i32,
    /// Minor units.
    pub target_revenue: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The dealer's targets, oldest month first.
pub async fn of_dealer(db: &impl ConnectionTrait, dealer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .order_by_asc(Column::Period)
        .all(db)
        .await?)
}

pub async fn of_period(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    period: &str,
) -> DomainResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Period.eq(period))
        .one(db)
        .await?)
}

/// Sets the target of one month, replacing an earlier one.
pub async fn set(db: &impl ConnectionTrait, target: Model) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        id: Set(target.id),
        dealer_id: Set(target.dealer_id),
        period: Set(target.period),
        target_units: Set(target.target_units),
        target_revenue: Set(target.target_revenue),
    })
    .on_conflict(
        OnConflict::columns([Column::DealerId, Column::Period])
            .update_columns([Column::TargetUnits, Column::TargetRevenue])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
