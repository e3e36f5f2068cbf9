//! A dealer's own promotions (its manager creates them; everyone of the dealer reads them).

use super::{dealers::visible, references, Services};
use crate::domain::promotions::{check_new, PromotionKind, Targets};
use crate::store::dealer_promotions;
use chrono::{DateTime, Utc};
use kernel::{Caller, DomainResult};
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub async fn list(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
) -> DomainResult<Vec<dealer_promotions::Model>> {
    let db = services.db.conn();
    let dealer = visible(db, caller, dealer_id).await?;
    dealer_promotions::of_dealer(db, dealer.id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPromotion {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    pub kind: PromotionKind,
    /// Basis points (percent) or minor units (amount).
    pub value: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Empty = every variant.
    #[serde(default)]
    pub variant_ids: Vec<Uuid>,
}

/// Creates a dealer promotion, active from its start.
pub async fn create(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
    input: NewPromotion,
) -> DomainResult<dealer_promotions::Model> {
    check_new(input.kind, input.value, input.starts_at, input.ends_at)?;
    let dealer = visible(services.db.conn(), caller, dealer_id).await?;
    let txn = services.db.begin().await?;
    references::variants(&*txn, &input.variant_ids).await?;
    let promotion = dealer_promotions::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer.id),
        name: Set(input.name.trim().to_owned()),
        kind: Set(input.kind),
        value: Set(input.value),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        variant_ids: Set(Targets(input.variant_ids)),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(promotion)
}
