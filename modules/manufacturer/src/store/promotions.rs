//! OEM promotions and the queries over them.

pub mod oem_promotions {
    use crate::domain::promotions::{PromotionAudience, PromotionKind, Reach, Targets};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "promotions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub applies_to: PromotionAudience,
        pub kind: PromotionKind,
        /// Basis points (percent) or minor units (amount).
        pub value: i64,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        /// Empty = every variant; an unreadable value fails the read (never "every variant").
        #[sea_orm(column_type = "Json")]
        pub variant_ids: Targets,
        /// Empty = every dealer; an unreadable value fails the read (never "every dealer").
        #[sea_orm(column_type = "Json")]
        pub dealer_ids: Targets,
        pub stackable: bool,
        pub active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    // `active` stands in for a status: promotions are only ever updated at a version.
    kernel::tracked!("promotion", Active);

    impl Model {
        /// Whom and when it reaches (`domain::promotions`).
        pub fn reach(&self) -> Reach<'_> {
            Reach {
                active: self.active,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                variants: &self.variant_ids,
                dealers: &self.dealer_ids,
            }
        }
    }
}

use crate::domain::{
    pricing::{DiscountKind, Promotion},
    promotions::PromotionAudience,
};
use contracts::events::manufacturer::PromotionChanged;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PromotionFilter {
    pub applies_to: Option<PromotionAudience>,
    /// Only those in force now.
    #[serde(default, deserialize_with = "kernel::pagination::bool_or_string")]
    pub current: Option<bool>,
}

/// Promotions (`current_only`: those in force now); `q` searches the name.
pub async fn list(
    db: &impl ConnectionTrait,
    current_only: bool,
    filter: &PromotionFilter,
    params: &ListParams,
) -> DomainResult<Page<oem_promotions::Model>> {
    use oem_promotions::Column as C;
    let now = chrono::Utc::now();
    let select = oem_promotions::Entity::find()
        .apply_if(filter.applies_to, |q, v| q.filter(C::AppliesTo.eq(v)))
        .apply_if(current_only.then_some(now), |q, now| {
            q.filter(C::Active.eq(true))
                .filter(C::StartsAt.lte(now))
                .filter(C::EndsAt.gt(now))
        })
        .apply_if(params.query(), |q, v| {
            q.filter(kernel::store::contains_ignoring_case(C::Name, v))
        });
    let sortable = [
        ("startsAt", C::StartsAt),
        ("endsAt", C::EndsAt),
        ("name", C::Name),
    ];
    params
        .fetch(db, select, &sortable, (C::StartsAt, Order::Desc), C::Id)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<oem_promotions::Model>> {
    Ok(oem_promotions::Entity::find_by_id(id).one(db).await?)
}

/// Replaces the row only while it is at `version` (the one read). `false`: someone else won.
pub async fn update_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    changes: oem_promotions::ActiveModel,
) -> DomainResult<bool> {
    kernel::store::update_at_version::<oem_promotions::Entity>(db, id, version, changes).await
}

/// The wholesale promotions a dealer gets for a variant now, ready for pricing. A promotion
/// whose dealer or variant list cannot be read fails the query rather than reaching everyone.
#[tracing::instrument(skip(db))]
pub async fn wholesale_promotions_for(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    variant_id: Uuid,
) -> Result<Vec<Promotion>, DbErr> {
    use oem_promotions::Column as C;
    let now = chrono::Utc::now();
    let rows = oem_promotions::Entity::find()
        .filter(C::Active.eq(true))
        .filter(C::AppliesTo.eq(PromotionAudience::Wholesale))
        .filter(C::StartsAt.lte(now))
        .filter(C::EndsAt.gt(now))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|p| p.reach().applies(dealer_id, variant_id, now))
        .filter_map(|p| {
            Some(Promotion {
                id: p.id,
                kind: DiscountKind::parse(p.kind, p.value)?,
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
        applies_to: p.applies_to.as_str().to_owned(),
        kind: p.kind.as_str().to_owned(),
        value: p.value,
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        variant_ids: p.variant_ids.0.clone(),
        dealer_ids: p.dealer_ids.0.clone(),
        stackable: p.stackable,
        active: p.active,
    }
}
