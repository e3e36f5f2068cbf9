//! `dealer.dealer_promotions`: discounts a dealer gives from its own margin.

use crate::domain::promotions::{PromotionKind, Targets};
use chrono::{DateTime, Utc};
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "dealer_promotions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub name: String,
    pub kind: PromotionKind,
    pub value: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Empty = every variant.
    #[sea_orm(column_type = "Json")]
    pub variant_ids: Targets,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The dealer's promotions, latest start first.
pub async fn of_dealer(db: &impl ConnectionTrait, dealer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .order_by_desc(Column::StartsAt)
        .all(db)
        .await?)
}

/// The dealer's active promotions running at `now`.
pub async fn running(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Active.eq(true))
        .filter(Column::StartsAt.lte(now))
        .filter(Column::EndsAt.gt(now))
        .all(db)
        .await?)
}
