//! `dealer.known_customers`: customer ids per dealer, from `customer.customer_created.v1` (no
//! personal data).

use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "known_customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
    pub dealer_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn know(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    dealer_id: Uuid,
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        customer_id: Set(customer_id),
        dealer_id: Set(dealer_id),
    })
    .on_conflict(
        OnConflict::column(Column::CustomerId)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// Whether the customer is one of this dealer's.
pub async fn is_customer_of(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    dealer_id: Uuid,
) -> DomainResult<bool> {
    Ok(Entity::find_by_id(customer_id)
        .one(db)
        .await?
        .is_some_and(|c| c.dealer_id == dealer_id))
}
