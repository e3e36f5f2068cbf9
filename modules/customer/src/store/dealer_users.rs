//! `customer.dealer_users`: the people of each dealer (from `auth.user_registered.v1` and
//! `auth.user_deactivated.v1`), so an owner or assignee is one of the caller's dealer.

use crate::domain::references::KnownUser;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "dealer_users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub dealer_id: Option<Uuid>,
    pub role: String,
    pub active: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn find(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Option<KnownUser>> {
    Ok(Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|u| KnownUser {
            dealer_id: u.dealer_id,
            role: u.role,
            active: u.active,
        }))
}

/// A registered user (again: the latest registration wins; a deactivation stays).
pub async fn registered(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    dealer_id: Option<Uuid>,
    role: &str,
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        user_id: Set(user_id),
        dealer_id: Set(dealer_id),
        role: Set(role.to_owned()),
        active: Set(true),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::UserId)
            .update_columns([Column::DealerId, Column::Role, Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The user can no longer own or be given records. Unknown users are remembered as inactive
/// (the deactivation may overtake a registration this module has not seen).
pub async fn deactivated(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    dealer_id: Option<Uuid>,
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        user_id: Set(user_id),
        dealer_id: Set(dealer_id),
        role: Set(String::new()),
        active: Set(false),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::UserId)
            .update_columns([Column::Active, Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
