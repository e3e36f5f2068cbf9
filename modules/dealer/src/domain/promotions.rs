//! Promotions: the OEM's retail ones (copied from its events) and the dealer's own. Which sale a
//! promotion reaches, and what a new dealer promotion must look like.

use chrono::{DateTime, Utc};
use kernel::{DomainError, DomainResult};
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

kernel::text_enum! {
    pub enum PromotionKind {
        /// `value` in basis points of the subtotal (500 = 5%).
        Percent = "percent",
        /// `value` in minor units.
        Amount = "amount",
    }
}

kernel::text_enum! {
    /// Who an OEM promotion is for.
    pub enum PromotionAudience {
        /// What the dealer pays the OEM; not a retail discount.
        Wholesale = "wholesale",
        /// A discount for the end customer that the OEM funds.
        Retail = "retail",
    }
}

/// The variants or dealers a promotion is limited to; an empty list means all of them. Stored
/// as a JSON array: an unreadable value is an error, never "all" (that would fail open).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct Targets(pub Vec<Uuid>);

impl Targets {
    pub fn includes(&self, id: Uuid) -> bool {
        self.0.is_empty() || self.0.contains(&id)
    }
}

/// Whether a promotion limited to `variants` and `dealers` reaches a sale of `variant` by
/// `dealer`.
pub fn reaches(variants: &Targets, dealers: &Targets, variant: Uuid, dealer: Uuid) -> bool {
    variants.includes(variant) && dealers.includes(dealer)
}

/// A dealer promotion gives something (percent: 1–10,000 basis points; amount: positive minor
/// units) over a window that ends after it starts.
pub fn check_new(
    kind: PromotionKind,
    value: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> DomainResult<()> {
    let gives_something = match kind {
        PromotionKind::Percent => (1..=10_000).contains(&value),
        PromotionKind::Amount => value > 0,
    };
    if !gives_something {
        return Err(DomainError::invalid(
            "value",
            "percent: 1–10000 basis points; amount: positive minor units",
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
    fn an_empty_list_reaches_everyone_a_list_only_its_members() {
        let all = Targets::default();
        let only_one = Targets(vec![id(1)]);
        assert!(reaches(&all, &all, id(7), id(8)));
        assert!(reaches(&only_one, &all, id(1), id(8)));
        assert!(!reaches(&only_one, &all, id(2), id(8)));
        assert!(reaches(&all, &only_one, id(7), id(1)));
        assert!(!reaches(&all, &only_one, id(7), id(2)), "another dealer's");
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
    fn a_dealer_promotion_gives_something_for_a_while() {
        let now = Utc::now();
        let later = now + chrono::Duration::days(1);
        assert!(check_new(PromotionKind::Percent, 100, now, later).is_ok());
        assert!(check_new(PromotionKind::Amount, 1, now, later).is_ok());
        assert!(check_new(PromotionKind::Percent, 0, now, later).is_err());
        assert!(check_new(PromotionKind::Percent, 10_001, now, later).is_err());
        assert!(check_new(PromotionKind::Amount, -5, now, later).is_err());
        match check_new(PromotionKind::Amount, 5, later, now) {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "endsAt"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
