//! The retail price breakdown of a quotation or order, in integer minor units.
//!
//! subtotal = base (MSRP) + colour surcharge + options; promotions (OEM retail, then the
//! dealer's) and the manual discount are taken from the subtotal; tax applies to what remains.
//! Promotions of one source stack like the OEM's wholesale ones: the stackable ones add up and a
//! non-stackable one applies alone when it is better.

use super::promotions::PromotionKind;
use contracts::Money;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Promotion {
    pub id: Uuid,
    pub name: String,
    pub kind: PromotionKind,
    /// Basis points (percent) or minor units (amount).
    pub value: i64,
    pub stackable: bool,
}

impl Promotion {
    fn discount(&self, subtotal: Money) -> Money {
        match self.kind {
            PromotionKind::Percent => subtotal
                .percent_bp(self.value.clamp(0, 10_000))
                .unwrap_or(Money::ZERO),
            PromotionKind::Amount => Money(self.value.max(0)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppliedPromotion {
    pub promotion_id: Uuid,
    pub name: String,
    /// `oem` or `dealer`.
    pub source: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionLine {
    pub name: String,
    pub price: Money,
}

/// The options priced into a quotation (a JSON column).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct OptionLines(pub Vec<OptionLine>);

/// Every component of the price, as shown to the customer (a JSON column of quotations and
/// orders; an unreadable one is an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, FromJsonQueryResult)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    pub base: Money,
    pub colour_surcharge: Money,
    pub options: Vec<OptionLine>,
    pub options_total: Money,
    pub subtotal: Money,
    pub promotions: Vec<AppliedPromotion>,
    pub manual_discount: Money,
    pub taxable: Money,
    pub tax_rate_bp: i64,
    pub tax: Money,
    pub total: Money,
}

impl Breakdown {
    /// What was taken off the list price: the promotions and the manual discount. `None` only
    /// on overflow.
    pub fn discount(&self) -> Option<Money> {
        self.promotions
            .iter()
            .try_fold(self.manual_discount, |sum, p| sum.checked_add(p.amount))
    }
}

pub struct PriceInput<'a> {
    pub msrp: Money,
    pub colour_surcharge: Money,
    pub options: &'a [OptionLine],
    pub oem_promotions: &'a [Promotion],
    pub dealer_promotions: &'a [Promotion],
    pub manual_discount_bp: i64,
    pub tax_rate_bp: i64,
}

fn stacked(promotions: &[Promotion], subtotal: Money) -> Vec<&Promotion> {
    let stackable: Vec<&Promotion> = promotions.iter().filter(|p| p.stackable).collect();
    let sum: i64 = stackable.iter().map(|p| p.discount(subtotal).0).sum();
    match promotions
        .iter()
        .filter(|p| !p.stackable)
        .max_by_key(|p| p.discount(subtotal))
    {
        Some(best) if best.discount(subtotal).0 > sum => vec![best],
        _ => stackable,
    }
}

/// Prices a vehicle. `None` only on arithmetic overflow.
pub fn price(input: &PriceInput<'_>) -> Option<Breakdown> {
    let options_total = input
        .options
        .iter()
        .try_fold(Money::ZERO, |sum, o| sum.checked_add(o.price))?;
    let subtotal = input
        .msrp
        .checked_add(input.colour_surcharge)?
        .checked_add(options_total)?;
    let mut promotions = Vec::new();
    for (source, list) in [
        ("oem", input.oem_promotions),
        ("dealer", input.dealer_promotions),
    ] {
        for p in stacked(list, subtotal) {
            promotions.push(AppliedPromotion {
                promotion_id: p.id,
                name: p.name.clone(),
                source: source.into(),
                amount: p.discount(subtotal),
            });
        }
    }
    let promoted = promotions
        .iter()
        .try_fold(Money::ZERO, |sum, p| sum.checked_add(p.amount))?;
    let manual_discount = subtotal.percent_bp(input.manual_discount_bp)?;
    let taxable = Money(
        subtotal
            .checked_sub(promoted)?
            .checked_sub(manual_discount)?
            .0
            .max(0),
    );
    let tax = taxable.percent_bp(input.tax_rate_bp)?;
    Some(Breakdown {
        base: input.msrp,
        colour_surcharge: input.colour_surcharge,
        options: input.options.to_vec(),
        options_total,
        subtotal,
        promotions,
        manual_discount,
        taxable,
        tax_rate_bp: input.tax_rate_bp,
        tax,
        total: taxable.checked_add(tax)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo(n: u128, kind: &str, value: i64, stackable: bool) -> Promotion {
        Promotion {
            id: Uuid::from_u128(n),
            name: format!("P{n}"),
            kind: kind.parse().unwrap(),
            value,
            stackable,
        }
    }

    #[test]
    fn the_breakdown_is_exact_to_the_minor_unit() {
        let options = [OptionLine {
            name: "Tow bar".into(),
            price: Money(99_999),
        }];
        let oem = [promo(1, "amount", 80_000, true)];
        let dealer = [promo(2, "percent", 150, true)];
        let b = price(&PriceInput {
            msrp: Money(4_999_000),
            colour_surcharge: Money(150_000),
            options: &options,
            oem_promotions: &oem,
            dealer_promotions: &dealer,
            manual_discount_bp: 100,
            tax_rate_bp: 1_000,
        })
        .unwrap();
        assert_eq!(b.subtotal, Money(5_248_999));
        // 1.5% of 5,248,999 = 78,734.985 → 78,735; 1% → 52,489.99 → 52,490
        assert_eq!(
            b.promotions.iter().map(|p| p.amount.0).collect::<Vec<_>>(),
            [80_000, 78_735]
        );
        assert_eq!(b.manual_discount, Money(52_490));
        assert_eq!(b.taxable, Money(5_248_999 - 80_000 - 78_735 - 52_490));
        assert_eq!(b.tax, Money(503_777)); // 10% of 5,037,774 = 503,777.4
        assert_eq!(b.total, Money(5_037_774 + 503_777));
        assert_eq!(b.discount(), Some(Money(80_000 + 78_735 + 52_490)));
    }

    #[test]
    fn a_better_non_stackable_promotion_applies_alone() {
        let dealer = [
            promo(1, "percent", 100, true),
            promo(2, "percent", 500, false),
        ];
        let b = price(&PriceInput {
            msrp: Money(1_000_000),
            colour_surcharge: Money::ZERO,
            options: &[],
            oem_promotions: &[],
            dealer_promotions: &dealer,
            manual_discount_bp: 0,
            tax_rate_bp: 0,
        })
        .unwrap();
        assert_eq!(b.promotions.len(), 1);
        assert_eq!(b.total, Money(950_000));
    }
}
