//! Money crosses module boundaries as integer minor units (cents), never floats, so totals
//! computed by different modules agree to the unit.

use serde::{Deserialize, Serialize};

/// An amount in minor units of the deployment currency (`1999` = 19.99).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn minor_units(self) -> i64 {
        self.0
    }

    /// `self × quantity`, or `None` on overflow.
    pub fn times(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).map(Money)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `basis_points`/10,000 of the amount, rounded half away from zero (10.00% = 1000 bp).
    pub fn percent_bp(self, basis_points: i64) -> Option<Money> {
        let product = i128::from(self.0) * i128::from(basis_points);
        let rounded = if product >= 0 {
            (product + 5_000) / 10_000
        } else {
            (product - 5_000) / 10_000
        };
        i64::try_from(rounded).ok().map(Money)
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            )))
            .description(Some("Amount in minor units of the currency (1999 = 19.99)"))
            .examples([serde_json::json!(4_250_000)])
            .into()
    }
}

impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_away_from_zero() {
        assert_eq!(Money(1_000).percent_bp(1_000), Some(Money(100)));
        assert_eq!(Money(5).percent_bp(1_000), Some(Money(1))); // 0.5 → 1
        assert_eq!(Money(4).percent_bp(1_000), Some(Money(0))); // 0.4 → 0
        assert_eq!(Money(-5).percent_bp(1_000), Some(Money(-1)));
        assert_eq!(Money(i64::MAX).times(2), None);
    }
}
