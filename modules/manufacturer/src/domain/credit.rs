//! A dealer's credit with the OEM: what it owes on unpaid invoices plus what approved, not yet
//! invoiced orders commit it to must stay within its contract's credit limit.

use contracts::Money;
use kernel::{DomainError, DomainResult, ErrorCode};

/// What a dealer owes and has committed to (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditUsed {
    /// Outstanding on unpaid and partially paid invoices.
    pub owed: i64,
    /// Totals of approved orders not yet invoiced.
    pub committed: i64,
}

impl CreditUsed {
    /// Sums outstanding invoice amounts `(amount, paid)` and committed order totals.
    pub fn of(
        invoices: impl IntoIterator<Item = (i64, i64)>,
        committed_orders: impl IntoIterator<Item = i64>,
    ) -> CreditUsed {
        CreditUsed {
            owed: invoices.into_iter().fold(0i64, |sum, (amount, paid)| {
                sum.saturating_add(amount - paid)
            }),
            committed: committed_orders
                .into_iter()
                .fold(0i64, |sum, total| sum.saturating_add(total)),
        }
    }

    pub fn total(self) -> i64 {
        self.owed.saturating_add(self.committed)
    }
}

/// Whether an order of `order_total` may be approved: refused with 409
/// `credit_limit_exceeded` when it would take the dealer's credit use beyond `limit`.
pub fn check_approval(
    order_number: &str,
    order_total: Money,
    used: CreditUsed,
    limit: Money,
) -> DomainResult<()> {
    let used = used.total();
    let after = used.saturating_add(order_total.0);
    if after > limit.0 {
        return Err(DomainError::conflict(
            ErrorCode::CreditLimitExceeded,
            format!(
                "approving {order_number} would use {after} of a credit limit of {} (already used: {used})",
                limit.0
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_used_adds_what_is_owed_and_what_is_committed() {
        let used = CreditUsed::of([(1_000, 400), (500, 0)], [300, 200]);
        assert_eq!(
            used,
            CreditUsed {
                owed: 1_100,
                committed: 500
            }
        );
        assert_eq!(used.total(), 1_600);
        assert_eq!(CreditUsed::of([], []).total(), 0);
    }

    #[test]
    fn approval_up_to_the_limit_passes_and_beyond_it_is_refused() {
        let used = CreditUsed {
            owed: 600,
            committed: 300,
        };
        assert!(check_approval("DO-1", Money(100), used, Money(1_000)).is_ok());
        match check_approval("DO-1", Money(101), used, Money(1_000)) {
            Err(DomainError::Conflict { code, detail }) => {
                assert_eq!(code, ErrorCode::CreditLimitExceeded);
                assert!(detail.contains("1001"), "{detail}");
            }
            other => panic!("expected credit_limit_exceeded, got {other:?}"),
        }
        // A zero limit refuses any order.
        assert!(check_approval("DO-2", Money(1), CreditUsed::default(), Money(0)).is_err());
    }

    #[test]
    fn huge_amounts_saturate_instead_of_wrapping() {
        let used = CreditUsed {
            owed: i64::MAX,
            committed: 1,
        };
        assert_eq!(used.total(), i64::MAX);
        assert!(check_approval("DO-3", Money(1), used, Money(i64::MAX - 1)).is_err());
    }
}
