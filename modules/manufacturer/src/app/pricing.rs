//! The wholesale price a dealer pays: catalog price, colour surcharge, contract discount and
//! the OEM promotions that reach that dealer. Used by the price-quote endpoint and by dealer
//! order placement, so both price the same way.

use crate::domain::pricing::{self, Quote, QuoteInput};
use crate::store::{catalog, finance, promotions};
use kernel::rules::{DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// The wholesale price a dealer pays today for `quantity` units of a variant in a colour.
/// `field` prefixes the request field names in errors (e.g. `lines[2].`).
#[tracing::instrument(skip(db))]
pub async fn quote_for(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    variant_id: Uuid,
    colour_id: Uuid,
    quantity: i64,
    field: &str,
) -> DomainResult<Quote> {
    let variant = catalog::variant_on_sale(db, variant_id)
        .await?
        .ok_or_else(|| {
            DomainError::invalid(format!("{field}variantId"), "no such variant on sale")
        })?;
    let colour = catalog::available_colour(db, colour_id, variant.model_id)
        .await?
        .ok_or_else(|| {
            DomainError::invalid(format!("{field}colourId"), "not a colour of this variant")
        })?;
    let contract = finance::active_contract(db, dealer_id).await?;
    let promotions = promotions::wholesale_promotions_for(db, dealer_id, variant.id).await?;
    pricing::quote(&QuoteInput {
        variant_name: &variant.name,
        wholesale_price: contracts::Money(variant.wholesale_price),
        colour_name: &colour.name,
        surcharge: contracts::Money(colour.surcharge),
        contract_discount_bp: contract
            .map(|c| i64::from(c.wholesale_discount_bp))
            .unwrap_or(0),
        promotions: &promotions,
        quantity,
    })
    .ok_or_else(|| DomainError::invalid(format!("{field}quantity"), "too large"))
}
