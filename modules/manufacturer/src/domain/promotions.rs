//! OEM promotions: their typed kind and audience, which dealers and variants they reach, and
//! what a promotion must look like.

use super::pricing::DiscountKind;
use chrono::{DateTime, Utc};
use kernel::{DomainError, DomainResult};
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

kernel::text_enum! {
    /// How a promotion's `value` reads.
    pub enum PromotionKind {
        /// `value` in basis points of the gross price (500 = 5%).
        Percent = "percent",
        /// `value` in minor units per unit.
        Amount = "amount",
    }
}

kernel::text_enum! {
    /// Who a promotion is for.
    pub enum PromotionAudience {
        /// Lowers what dealers pay the OEM.
        Wholesale = "wholesale",
        /// An OEM-funded discount for the end customer.
        Retail = "retail",
    }
}

/// The variants or dealers a promotion is limited to; an empty list means all of them. Stored
/// as a JSON array: an unreadable value is an error when the row is read, never "all" (that
/// would fail open and give a private promotion to every dealer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct Targets(pub Vec<Uuid>);

impl Targets {
    pub fn includes(&self, id: Uuid) -> bool {
        self.0.is_empty() || self.0.contains(&id)
    }
}

/// The terms of a promotion that decide whom it reaches and when.
#[derive(Debug, Clone, Copy)]
pub struct Reach<'a> {
    pub active: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub variants: &'a Targets,
    pub dealers: &'a Targets,
}

impl Reach<'_> {
    /// Whether it is in force at `at`.
    pub fn running(&self, at: DateTime<Utc>) -> bool {
        self.active && self.starts_at <= at && at < self.ends_at
    }

    /// Whether a dealer may see it (a promotion aimed at named dealers is private to them).
    pub fn open_to(&self, dealer: Uuid) -> bool {
        self.dealers.includes(dealer)
    }

    /// Whether it applies to `dealer` buying `variant` at `at`.
    pub fn applies(&self, dealer: Uuid, variant: Uuid, at: DateTime<Utc>) -> bool {
        self.running(at) && self.variants.includes(variant) && self.dealers.includes(dealer)
    }
}

/// A promotion gives something (percent: 1–10,000 basis points; amount: positive minor units)
/// over a window that ends after it starts.
pub fn check_terms(
    kind: PromotionKind,
    value: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> DomainResult<()> {
    if DiscountKind::parse(kind, value).is_none() {
        return Err(DomainError::invalid(
            "value",
            "percent: 1–10000 basis points; amount: a positive amount in minor units",
        ));
    }
    if ends_at <= starts_at {
        return Err(DomainError::invalid("endsAt", "must be after startsAt"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_promotion_reaches_listed_dealers_and_variants_only() {
        let now = Utc::now();
        let all = Targets::default();
        let dealer_one = Targets(vec![id(1)]);
        let reach = Reach {
            active: true,
            starts_at: now - chrono::Duration::hours(1),
            ends_at: now + chrono::Duration::hours(1),
            variants: &all,
            dealers: &dealer_one,
        };
        assert!(reach.applies(id(1), id(9), now));
        assert!(!reach.applies(id(2), id(9), now), "another dealer's");
        assert!(!reach.open_to(id(2)));
        assert!(!reach.applies(id(1), id(9), now + chrono::Duration::hours(2)));
        assert!(!Reach {
            active: false,
            ..reach
        }
        .applies(id(1), id(9), now));
        let variant_one = Targets(vec![id(5)]);
        let for_one_variant = Reach {
            variants: &variant_one,
            dealers: &all,
            ..reach
        };
        assert!(for_one_variant.applies(id(3), id(5), now));
        assert!(!for_one_variant.applies(id(3), id(6), now));
    }

    #[test]
    fn an_unreadable_list_is_an_error_not_everyone() {
        for stored in [
            serde_json::json!("all"),
            serde_json::json!({ "dealers": [] }),
            serde_json::json!(["not-a-uuid"]),
            serde_json::Value::Null,
        ] {
            assert!(
                serde_json::from_value::<Targets>(stored.clone()).is_err(),
                "{stored}"
            );
        }
    }

    #[test]
    fn a_promotion_gives_something_for_a_while() {
        let now = Utc::now();
        let later = now + chrono::Duration::days(1);
        assert!(check_terms(PromotionKind::Percent, 100, now, later).is_ok());
        assert!(check_terms(PromotionKind::Amount, 1, now, later).is_ok());
        assert!(check_terms(PromotionKind::Percent, 0, now, later).is_err());
        assert!(check_terms(PromotionKind::Percent, 10_001, now, later).is_err());
        assert!(check_terms(PromotionKind::Amount, -5, now, later).is_err());
        match check_terms(PromotionKind::Amount, 5, later, now) {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "endsAt"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
