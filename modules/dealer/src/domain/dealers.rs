//! Dealers: active | suspended | inactive; only an active dealer makes new sales.

use kernel::{DomainError, DomainResult, ErrorCode};

kernel::text_enum! {
    pub enum DealerStatus {
        Active = "active",
        /// Blocks new sales; documents in progress go on.
        Suspended = "suspended",
        Inactive = "inactive",
    }
}

/// VAT of a new dealer unless the OEM names another, in basis points (10%).
pub const DEFAULT_TAX_RATE_BP: i32 = 1_000;

impl DealerStatus {
    /// New quotations, orders and conversions need an active dealer; 409 `dealer_not_active`
    /// naming the dealer by its code otherwise.
    pub fn check_can_sell(self, code: &str) -> DomainResult<()> {
        if self == Self::Active {
            return Ok(());
        }
        Err(DomainError::conflict(
            ErrorCode::DealerNotActive,
            format!("dealer {code} is {self}: no new sales"),
        ))
    }
}

/// A sales target's period: a month as `YYYY-MM`.
pub fn check_target_period(period: &str) -> DomainResult<()> {
    let month_start = format!("{period}-01");
    match chrono::NaiveDate::parse_from_str(&month_start, "%Y-%m-%d") {
        Ok(_) if period.len() == 7 => Ok(()),
        _ => Err(DomainError::invalid("period", "must be YYYY-MM")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_active_dealer_sells() {
        assert!(DealerStatus::Active.check_can_sell("DLR-A").is_ok());
        for status in [DealerStatus::Suspended, DealerStatus::Inactive] {
            match status.check_can_sell("DLR-B") {
                Err(DomainError::Conflict { code, detail }) => {
                    assert_eq!(code, ErrorCode::DealerNotActive);
                    assert!(detail.contains("DLR-B"), "{detail}");
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn targets_are_set_per_month() {
        assert!(check_target_period("2026-12").is_ok());
        assert!(check_target_period("2026-13").is_err());
        assert!(check_target_period("2026-1").is_err());
        assert!(check_target_period("December").is_err());
    }
}
