//! What the module learns from other modules' events: staff from auth, the catalog and OEM
//! promotions from the manufacturer, customer ids from the customer module. Each is an upsert,
//! so a redelivery changes nothing.

use crate::domain::{catalog::Colours, promotions::Targets};
use crate::store::{catalog_variants, known_customers, oem_promotions, staff};
use contracts::events::{auth, manufacturer};
use kernel::{DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use std::str::FromStr;
use uuid::Uuid;

/// A value of another module's closed set that this module does not know: the event is refused
/// (and retried, then dead-lettered) rather than stored as something else.
fn parse<T: FromStr<Err = String>>(field: &str, value: &str) -> DomainResult<T> {
    value
        .parse()
        .map_err(|e| DomainError::Internal(anyhow::anyhow!("{field} `{value}`: {e}")))
}

/// A dealer user becomes staff of their dealer (OEM staff and admins belong to none).
pub async fn user_registered(
    db: &impl ConnectionTrait,
    user: auth::UserRegistered,
) -> DomainResult<()> {
    let Some(dealer_id) = user.dealer_id else {
        return Ok(());
    };
    let member = staff::Model {
        user_id: user.user_id,
        dealer_id,
        branch_id: user.branch_id,
        name: user.name,
        email: user.email,
        role: user.role,
        active: true,
        updated_at: chrono::Utc::now(),
    };
    staff::upsert(db, member).await
}

pub async fn user_deactivated(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    staff::deactivate(db, user_id).await
}

/// Keeps the latest snapshot of a published variant.
pub async fn variant_published(
    db: &impl ConnectionTrait,
    v: manufacturer::VariantPublished,
) -> DomainResult<()> {
    let variant = catalog_variants::Model {
        variant_id: v.variant_id,
        model_id: v.model_id,
        model_name: v.model_name,
        variant_name: v.variant_name,
        segment: v.segment,
        status: parse("status", &v.status)?,
        model_status: parse("modelStatus", &v.model_status)?,
        msrp: v.msrp.0,
        colours: Colours(v.colours),
        updated_at: chrono::Utc::now(),
    };
    catalog_variants::upsert(db, variant).await
}

pub async fn price_changed(
    db: &impl ConnectionTrait,
    change: manufacturer::PriceChanged,
) -> DomainResult<()> {
    catalog_variants::set_msrp(db, change.variant_id, change.msrp.0).await
}

/// Keeps the latest copy of an OEM promotion.
pub async fn promotion_changed(
    db: &impl ConnectionTrait,
    p: manufacturer::PromotionChanged,
) -> DomainResult<()> {
    let promotion = oem_promotions::Model {
        promotion_id: p.promotion_id,
        name: p.name,
        applies_to: parse("appliesTo", &p.applies_to)?,
        kind: parse("kind", &p.kind)?,
        value: p.value,
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        variant_ids: Targets(p.variant_ids),
        dealer_ids: Targets(p.dealer_ids),
        stackable: p.stackable,
        active: p.active,
    };
    oem_promotions::upsert(db, promotion).await
}

/// Which customers belong to which dealer (ids only).
pub async fn customer_created(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    dealer_id: Uuid,
) -> DomainResult<()> {
    known_customers::know(db, customer_id, dealer_id).await
}
