//! OEM promotions: OEM staff create and change them (each change tells other modules with
//! `promotion_changed`); dealer roles read those in force that reach their dealer.

use super::catalog::is_oem;
use crate::domain::catalog::check_version;
use crate::domain::promotions::{check_terms, PromotionAudience, PromotionKind, Targets};
use crate::store::promotions::{self as store, oem_promotions, PromotionFilter};
use chrono::{DateTime, Utc};
use kernel::{
    pagination::{ListParams, Page},
    Caller, Db, DomainError, DomainResult,
};
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Promotions; dealer roles see those in force now that are open to their dealer (a promotion
/// aimed at named dealers is private to them; a dealer role without a dealer sees only those
/// open to every dealer).
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &PromotionFilter,
    params: &ListParams,
) -> DomainResult<Page<oem_promotions::Model>> {
    let oem = is_oem(caller);
    let current_only = filter.current == Some(true) || !oem;
    let mut page = store::list(db.conn(), current_only, filter, params).await?;
    if !oem {
        page.items.retain(|p| match caller.dealer_id {
            Some(own) => p.reach().open_to(own),
            None => p.dealer_ids.0.is_empty(),
        });
    }
    Ok(page)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionInput {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// wholesale (what dealers pay) | retail (an OEM-funded discount for customers)
    pub applies_to: PromotionAudience,
    /// percent (`value` in basis points, 500 = 5%) | amount (`value` in minor units)
    pub kind: PromotionKind,
    pub value: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Empty = every variant.
    #[serde(default)]
    pub variant_ids: Vec<Uuid>,
    /// Empty = every dealer.
    #[serde(default)]
    pub dealer_ids: Vec<Uuid>,
    #[serde(default)]
    pub stackable: bool,
    /// Required when updating; a stale one is refused with 409.
    pub version: Option<i32>,
    pub active: Option<bool>,
}

/// Creates a promotion and tells other modules (`promotion_changed`).
pub async fn create(db: &Db, input: PromotionInput) -> DomainResult<oem_promotions::Model> {
    check_terms(input.kind, input.value, input.starts_at, input.ends_at)?;
    let now = Utc::now();
    let mut txn = db.begin().await?;
    let promotion = oem_promotions::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.trim().to_owned()),
        applies_to: Set(input.applies_to),
        kind: Set(input.kind),
        value: Set(input.value),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        variant_ids: Set(Targets(input.variant_ids)),
        dealer_ids: Set(Targets(input.dealer_ids)),
        stackable: Set(input.stackable),
        active: Set(input.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    kernel::events::publish(&mut txn, &store::changed_event(&promotion)).await?;
    txn.commit().await?;
    Ok(promotion)
}

/// Replaces a promotion's terms, or ends it with `active: false` (optimistic on `version`),
/// and tells other modules.
pub async fn update(
    db: &Db,
    id: Uuid,
    input: PromotionInput,
) -> DomainResult<oem_promotions::Model> {
    check_terms(input.kind, input.value, input.starts_at, input.ends_at)?;
    let current = store::find(db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("promotion"))?;
    let version = input
        .version
        .ok_or_else(|| DomainError::invalid("version", "required when updating"))?;
    check_version("promotion", version, current.version)?;
    let mut changes = oem_promotions::ActiveModel {
        name: Set(input.name.trim().to_owned()),
        applies_to: Set(input.applies_to),
        kind: Set(input.kind),
        value: Set(input.value),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        variant_ids: Set(Targets(input.variant_ids)),
        dealer_ids: Set(Targets(input.dealer_ids)),
        stackable: Set(input.stackable),
        ..Default::default()
    };
    if let Some(active) = input.active {
        changes.active = Set(active);
    }
    let mut txn = db.begin().await?;
    if !store::update_at_version(&*txn, current.id, current.version, changes).await? {
        return Err(DomainError::changed_meanwhile("promotion"));
    }
    let promotion = store::find(&*txn, id)
        .await?
        .ok_or(DomainError::NotFound("promotion"))?;
    kernel::events::publish(&mut txn, &store::changed_event(&promotion)).await?;
    txn.commit().await?;
    Ok(promotion)
}
