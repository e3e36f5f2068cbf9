//! Prices a sale server-side from the local catalog copy and the promotions running now.

use super::seller;
use crate::domain::{
    discounts::Seller,
    pricing::{self, Breakdown, OptionLine, PriceInput, Promotion},
    promotions::reaches,
};
use crate::store::{catalog_variants, dealer_promotions, dealers, known_customers, oem_promotions};
use contracts::Money;
use kernel::{Caller, DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionInput {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// Minor units.
    #[validate(range(min = 0))]
    pub price: i64,
}

fn option_lines(options: &[OptionInput]) -> Vec<OptionLine> {
    options
        .iter()
        .map(|o| OptionLine {
            name: o.name.clone(),
            price: Money(o.price),
        })
        .collect()
}

/// What a salesperson asks to sell, as a quotation or a direct order.
pub struct Request<'a> {
    /// Admins name the dealer; dealer roles sell for their own.
    pub dealer_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub options: &'a [OptionInput],
    pub manual_discount_bp: i64,
}

/// A priced request: the dealer selling, the options as priced, the breakdown.
pub struct Quote {
    pub dealer: dealers::Model,
    pub options: Vec<OptionLine>,
    pub breakdown: Breakdown,
}

/// Prices what the caller asks to sell (see [`price`]), for the dealer they act for.
pub async fn quote(
    db: &impl ConnectionTrait,
    caller: &Caller,
    request: Request<'_>,
) -> DomainResult<Quote> {
    // A dealer role naming another dealer refers to something it may not use: 422, like any
    // other foreign id in the body.
    let dealer_id = caller
        .acting_dealer(request.dealer_id)
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::invalid("dealerId", "not your dealer"),
            other => other,
        })?;
    let dealer = dealers::find(db, dealer_id)
        .await?
        .ok_or_else(|| DomainError::invalid("dealerId", "no such dealer"))?;
    let options = option_lines(request.options);
    let sale = Sale {
        dealer: &dealer,
        customer_id: request.customer_id,
        variant_id: request.variant_id,
        colour_id: request.colour_id,
        options: &options,
        manual_discount_bp: request.manual_discount_bp,
    };
    let breakdown = price(db, seller(caller), &sale).await?;
    Ok(Quote {
        dealer,
        options,
        breakdown,
    })
}

/// What is being sold.
pub struct Sale<'a> {
    pub dealer: &'a dealers::Model,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub options: &'a [OptionLine],
    pub manual_discount_bp: i64,
}

/// Checks the sale is possible (an active dealer, a customer of this dealer, a variant on sale
/// in that colour, a discount within the seller's limit) and prices it.
pub async fn price(
    db: &impl ConnectionTrait,
    seller: Seller,
    sale: &Sale<'_>,
) -> DomainResult<Breakdown> {
    sale.dealer.status.check_can_sell(&sale.dealer.code)?;
    if !known_customers::is_customer_of(db, sale.customer_id, sale.dealer.id).await? {
        return Err(DomainError::invalid(
            "customerId",
            "not a customer of this dealer",
        ));
    }
    let variant = catalog_variants::find(db, sale.variant_id)
        .await?
        .filter(catalog_variants::Model::sellable)
        .ok_or_else(|| DomainError::invalid("variantId", "no such variant on sale"))?;
    let surcharge = variant
        .colours
        .find(sale.colour_id)
        .map(|c| c.surcharge)
        .ok_or_else(|| DomainError::invalid("colourId", "not a colour of this variant"))?;
    seller.check_discount(sale.manual_discount_bp)?;
    let now = chrono::Utc::now();
    let oem: Vec<Promotion> = oem_promotions::running_retail(db, now)
        .await?
        .into_iter()
        .filter(|p| {
            reaches(
                &p.variant_ids,
                &p.dealer_ids,
                sale.variant_id,
                sale.dealer.id,
            )
        })
        .map(|p| Promotion {
            id: p.promotion_id,
            name: p.name,
            kind: p.kind,
            value: p.value,
            stackable: p.stackable,
        })
        .collect();
    let own: Vec<Promotion> = dealer_promotions::running(db, sale.dealer.id, now)
        .await?
        .into_iter()
        .filter(|p| p.variant_ids.includes(sale.variant_id))
        .map(|p| Promotion {
            id: p.id,
            name: p.name,
            kind: p.kind,
            value: p.value,
            // A dealer's own promotions always combine.
            stackable: true,
        })
        .collect();
    pricing::price(&PriceInput {
        msrp: Money(variant.msrp),
        colour_surcharge: surcharge,
        options: sale.options,
        oem_promotions: &oem,
        dealer_promotions: &own,
        manual_discount_bp: sale.manual_discount_bp,
        tax_rate_bp: i64::from(sale.dealer.tax_rate_bp),
    })
    .ok_or_else(|| DomainError::invalid("options", "amounts too large"))
}
