//! The wholesale price a dealer pays for a variant × colour, line by line.
//!
//! gross = wholesale price + colour surcharge; the contract's wholesale discount and the OEM
//! wholesale promotions are both taken from the gross (they do not compound). Promotions stack
//! as follows: the stackable ones add up; a non-stackable one cannot be combined, so the better
//! of "all stackable together" and "the best non-stackable alone" applies. A unit never costs
//! less than zero.

use super::promotions::PromotionKind;
use contracts::Money;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A promotion as far as pricing is concerned.
#[derive(Debug, Clone)]
pub struct Promotion {
    pub id: Uuid,
    pub name: String,
    pub kind: DiscountKind,
    pub stackable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountKind {
    /// Basis points of the gross price (500 = 5%).
    Percent(i64),
    /// A fixed amount per unit.
    Amount(Money),
}

impl DiscountKind {
    /// The discount a promotion of `kind` and `value` gives, if it gives something.
    pub fn parse(kind: PromotionKind, value: i64) -> Option<DiscountKind> {
        match kind {
            PromotionKind::Percent if (1..=10_000).contains(&value) => {
                Some(DiscountKind::Percent(value))
            }
            PromotionKind::Amount if value > 0 => Some(DiscountKind::Amount(Money(value))),
            _ => None,
        }
    }

    fn of(self, gross: Money) -> Money {
        match self {
            DiscountKind::Percent(bp) => gross.percent_bp(bp).unwrap_or(gross),
            DiscountKind::Amount(amount) => amount,
        }
    }
}

/// One line of a quote: what it is, per unit and for the quantity (discounts are negative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLine {
    /// `wholesale_price`, `colour_surcharge`, `contract_discount` or `promotion`.
    pub kind: String,
    pub label: String,
    pub promotion_id: Option<Uuid>,
    pub unit_amount: Money,
    pub quantity: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub unit_price: Money,
    pub quantity: i64,
    pub total: Money,
}

pub struct QuoteInput<'a> {
    pub variant_name: &'a str,
    pub wholesale_price: Money,
    pub colour_name: &'a str,
    pub surcharge: Money,
    pub contract_discount_bp: i64,
    pub promotions: &'a [Promotion],
    pub quantity: i64,
}

/// Prices `quantity` units. `None` only on arithmetic overflow (absurd quantities).
pub fn quote(input: &QuoteInput<'_>) -> Option<Quote> {
    let quantity = input.quantity;
    let gross = input.wholesale_price.checked_add(input.surcharge)?;
    let mut lines = Vec::new();
    let mut line =
        |kind: &str, label: String, promotion_id: Option<Uuid>, unit: Money| -> Option<()> {
            lines.push(QuoteLine {
                kind: kind.to_owned(),
                label,
                promotion_id,
                unit_amount: unit,
                quantity,
                amount: unit.times(quantity)?,
            });
            Some(())
        };
    line(
        "wholesale_price",
        input.variant_name.to_owned(),
        None,
        input.wholesale_price,
    )?;
    if input.surcharge != Money::ZERO {
        line(
            "colour_surcharge",
            input.colour_name.to_owned(),
            None,
            input.surcharge,
        )?;
    }
    let mut discount = Money::ZERO;
    if input.contract_discount_bp > 0 {
        let amount = gross.percent_bp(input.contract_discount_bp)?;
        discount = discount.checked_add(amount)?;
        let label = format!(
            "Dealer contract discount {}%",
            percent_label(input.contract_discount_bp)
        );
        line("contract_discount", label, None, Money(-amount.0))?;
    }
    for promotion in best_promotions(input.promotions, gross) {
        let amount = promotion.kind.of(gross);
        discount = discount.checked_add(amount)?;
        line(
            "promotion",
            promotion.name.clone(),
            Some(promotion.id),
            Money(-amount.0),
        )?;
    }
    let unit_price = Money(gross.checked_sub(discount)?.0.max(0));
    if unit_price == Money::ZERO {
        // Discounts beyond the gross price are capped: restate the last line so lines add up.
        let excess = discount.checked_sub(gross)?;
        if let Some(last) = lines.last_mut() {
            last.unit_amount = last.unit_amount.checked_add(excess)?;
            last.amount = last.unit_amount.times(quantity)?;
        }
    }
    Some(Quote {
        lines,
        unit_price,
        quantity,
        total: unit_price.times(quantity)?,
    })
}

/// The promotions that apply together under the stacking rule.
fn best_promotions(promotions: &[Promotion], gross: Money) -> Vec<&Promotion> {
    let stackable: Vec<&Promotion> = promotions.iter().filter(|p| p.stackable).collect();
    let stacked: i64 = stackable.iter().map(|p| p.kind.of(gross).0).sum();
    let best_single = promotions
        .iter()
        .filter(|p| !p.stackable)
        .max_by_key(|p| (p.kind.of(gross), std::cmp::Reverse(p.id)));
    match best_single {
        Some(single) if single.kind.of(gross).0 > stacked => vec![single],
        _ => stackable,
    }
}

fn percent_label(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}", bp / 100)
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo(n: u128, kind: DiscountKind, stackable: bool) -> Promotion {
        Promotion {
            id: Uuid::from_u128(n),
            name: format!("P{n}"),
            kind,
            stackable,
        }
    }

    fn input<'a>(promotions: &'a [Promotion], discount_bp: i64) -> QuoteInput<'a> {
        QuoteInput {
            variant_name: "Aurora Long Range",
            wholesale_price: Money(4_500_000),
            colour_name: "Ocean Blue",
            surcharge: Money(150_000),
            contract_discount_bp: discount_bp,
            promotions,
            quantity: 3,
        }
    }

    #[test]
    fn lines_add_up_to_the_total_exactly() {
        let promotions = [
            promo(1, DiscountKind::Percent(250), true),
            promo(2, DiscountKind::Amount(Money(50_000)), true),
        ];
        let quote = quote(&input(&promotions, 300)).unwrap();
        // gross 4,650,000; 3% = 139,500; 2.5% = 116,250; 50,000 → unit 4,344,250
        assert_eq!(quote.unit_price, Money(4_344_250));
        assert_eq!(quote.total, Money(13_032_750));
        let sum: i64 = quote.lines.iter().map(|l| l.amount.0).sum();
        assert_eq!(sum, quote.total.0);
    }

    #[test]
    fn a_non_stackable_promotion_applies_alone_when_it_is_better() {
        let promotions = [
            promo(1, DiscountKind::Percent(100), true),
            promo(2, DiscountKind::Percent(100), true),
            promo(3, DiscountKind::Percent(500), false),
            promo(4, DiscountKind::Percent(300), false),
        ];
        let quote = quote(&input(&promotions, 0)).unwrap();
        let applied: Vec<_> = quote.lines.iter().filter_map(|l| l.promotion_id).collect();
        assert_eq!(applied, vec![Uuid::from_u128(3)]);

        let weaker = [
            promo(1, DiscountKind::Percent(400), true),
            promo(2, DiscountKind::Percent(300), true),
            promo(3, DiscountKind::Percent(500), false),
        ];
        let quote = super::quote(&input(&weaker, 0)).unwrap();
        assert_eq!(
            quote.lines.iter().filter(|l| l.kind == "promotion").count(),
            2
        );
    }

    #[test]
    fn the_price_never_goes_below_zero_and_lines_still_add_up() {
        let promotions = [promo(1, DiscountKind::Amount(Money(9_000_000)), true)];
        let quote = quote(&input(&promotions, 0)).unwrap();
        assert_eq!(quote.unit_price, Money::ZERO);
        let sum: i64 = quote.lines.iter().map(|l| l.amount.0).sum();
        assert_eq!(sum, 0);
    }

    #[test]
    fn discount_kinds_are_validated() {
        assert_eq!(DiscountKind::parse(PromotionKind::Percent, 0), None);
        assert_eq!(DiscountKind::parse(PromotionKind::Percent, 10_001), None);
        assert_eq!(DiscountKind::parse(PromotionKind::Amount, -5), None);
        assert_eq!(DiscountKind::parse(PromotionKind::Amount, 0), None);
        assert!(DiscountKind::parse(PromotionKind::Percent, 500).is_some());
    }
}
