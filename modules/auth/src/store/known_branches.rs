//! `auth.known_branches`: which dealer each branch belongs to, learnt from
//! `dealer.branch_opened.v1` (the dealer module owns branches; this is the auth module's copy).

use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "auth", table_name = "known_branches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Learns of a branch (again: nothing changes, a branch never moves to another dealer).
pub async fn know(db: &impl ConnectionTrait, branch_id: Uuid, dealer_id: Uuid) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        branch_id: Set(branch_id),
        dealer_id: Set(dealer_id),
    })
    .on_conflict(OnConflict::column(Column::BranchId).do_nothing().to_owned())
    .do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// The dealer of a known branch.
pub async fn dealer_of(db: &impl ConnectionTrait, branch_id: Uuid) -> DomainResult<Option<Uuid>> {
    Ok(Entity::find_by_id(branch_id)
        .one(db)
        .await?
        .map(|b| b.dealer_id))
}
