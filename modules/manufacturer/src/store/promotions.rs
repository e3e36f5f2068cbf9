//! OEM promotions and discount policies.

pub mod oem_promotions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "promotions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        /// wholesale | retail
        pub applies_to: String,
        /// percent (basis points) | amount (minor units)
        pub kind: String,
        pub value: i64,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        /// JSON array of variant ids; empty = every variant.
        pub variant_ids: Json,
        /// JSON array of dealer ids; empty = every dealer.
        pub dealer_ids: Json,
        pub stackable: bool,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn variant_list(&self) -> Vec<Uuid> {
            serde_json::from_value(self.variant_ids.clone()).unwrap_or_default()
        }

        pub fn dealer_list(&self) -> Vec<Uuid> {
            serde_json::from_value(self.dealer_ids.clone()).unwrap_or_default()
        }

        /// Whether it applies to this dealer and variant at `at`.
        pub fn applies(&self, dealer_id: Uuid, variant_id: Uuid, at: DateTimeUtc) -> bool {
            let variants = self.variant_list();
            let dealers = self.dealer_list();
            self.active
                && self.starts_at <= at
                && at < self.ends_at
                && (variants.is_empty() || variants.contains(&variant_id))
                && (dealers.is_empty() || dealers.contains(&dealer_id))
        }
    }
}

use crate::domain::pricing::{DiscountKind, Promotion};
use contracts::events::manufacturer::PromotionChanged;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The wholesale promotions a dealer gets for a variant now, ready for pricing.
#[tracing::instrument(skip(db))]
pub async fn wholesale_promotions_for(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    variant_id: Uuid,
) -> Result<Vec<Promotion>, DbErr> {
    let now = chrono::Utc::now();
    let rows = oem_promotions::Entity::find()
        .filter(oem_promotions::Column::Active.eq(true))
        .filter(oem_promotions::Column::AppliesTo.eq("wholesale"))
        .filter(oem_promotions::Column::StartsAt.lte(now))
        .filter(oem_promotions::Column::EndsAt.gt(now))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|p| p.applies(dealer_id, variant_id, now))
        .filter_map(|p| {
            Some(Promotion {
                id: p.id,
                kind: DiscountKind::parse(&p.kind, p.value)?,
                name: p.name,
                stackable: p.stackable,
            })
        })
        .collect())
}

/// The event other modules build their copy of a promotion from.
pub fn changed_event(p: &oem_promotions::Model) -> PromotionChanged {
    PromotionChanged {
        promotion_id: p.id,
        name: p.name.clone(),
        applies_to: p.applies_to.clone(),
        kind: p.kind.clone(),
        value: p.value,
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        variant_ids: p.variant_list(),
        dealer_ids: p.dealer_list(),
        stackable: p.stackable,
        active: p.active,
    }
}
