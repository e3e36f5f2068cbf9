//! `customer.known_dealers`: the dealers (from `dealer.dealer_changed.v1`), so an administrator
//! acting for a dealer names one that exists.

use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "known_dealers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dealer_id: Uuid,
    /// `active`, `suspended` or `inactive`, as the dealer module says.
    pub status: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn exists(db: &impl ConnectionTrait, dealer_id: Uuid) -> DomainResult<bool> {
    Ok(Entity::find_by_id(dealer_id).one(db).await?.is_some())
}

pub async fn changed(db: &impl ConnectionTrait, dealer_id: Uuid, status: &str) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        dealer_id: Set(dealer_id),
        status: Set(status.to_owned()),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::DealerId)
            .update_columns([Column::Status, Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
