//! `dealer.branches`: a dealer's showrooms and service points.

use kernel::DomainResult;
use sea_orm::{entity::prelude::*, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "branches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub name: String,
    pub city: String,
    pub address: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The dealer's branches by name.
pub async fn of_dealer(db: &impl ConnectionTrait, dealer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .order_by_asc(Column::Name)
        .all(db)
        .await?)
}

/// Whether `branch_id` is one of this dealer's branches.
pub async fn is_branch_of(
    db: &impl ConnectionTrait,
    branch_id: Uuid,
    dealer_id: Uuid,
) -> DomainResult<bool> {
    Ok(Entity::find_by_id(branch_id)
        .one(db)
        .await?
        .is_some_and(|b| b.dealer_id == dealer_id))
}
