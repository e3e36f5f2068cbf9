//! `dealer.oem_promotions`: the OEM's promotions, copied from its events so quoting works while
//! the manufacturer is down.

use crate::domain::promotions::{PromotionAudience, PromotionKind, Targets};
use chrono::{DateTime, Utc};
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, IntoActiveModel};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "oem_promotions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub promotion_id: Uuid,
    pub name: String,
    pub applies_to: PromotionAudience,
    pub kind: PromotionKind,
    pub value: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Empty = every variant.
    #[sea_orm(column_type = "Json")]
    pub variant_ids: Targets,
    /// Empty = every dealer.
    #[sea_orm(column_type = "Json")]
    pub dealer_ids: Targets,
    pub stackable: bool,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Active retail promotions running at `now` (for any dealer; see `domain::promotions::reaches`).
pub async fn running_retail(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::AppliesTo.eq(PromotionAudience::Retail))
        .filter(Column::Active.eq(true))
        .filter(Column::StartsAt.lte(now))
        .filter(Column::EndsAt.gt(now))
        .all(db)
        .await?)
}

/// Keeps the latest copy of a promotion.
pub async fn upsert(db: &impl ConnectionTrait, promotion: Model) -> DomainResult<()> {
    use Column as C;
    Entity::insert(promotion.into_active_model())
        .on_conflict(
            OnConflict::column(C::PromotionId)
                .update_columns([
                    C::Name,
                    C::AppliesTo,
                    C::Kind,
                    C::Value,
                    C::StartsAt,
                    C::EndsAt,
                    C::VariantIds,
                    C::DealerIds,
                    C::Stackable,
                    C::Active,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
