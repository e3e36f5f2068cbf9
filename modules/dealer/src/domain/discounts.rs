//! The manual discount a salesperson may give, and when an order waits for a manager.

use kernel::{DomainError, DomainResult};

/// The largest manual discount each role may give, in basis points of the subtotal.
pub const STAFF_DISCOUNT_CAP_BP: i64 = 500;
pub const MANAGER_DISCOUNT_CAP_BP: i64 = 1_000;
/// Orders whose manual discount exceeds this need a manager's approval (unless a manager sells).
pub const APPROVAL_THRESHOLD_BP: i64 = 200;

/// Who gives the discount: a manager (or admin) has the larger allowance and approves orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seller {
    Manager,
    Staff,
}

impl Seller {
    pub fn cap_bp(self) -> i64 {
        match self {
            Self::Manager => MANAGER_DISCOUNT_CAP_BP,
            Self::Staff => STAFF_DISCOUNT_CAP_BP,
        }
    }

    /// A manual discount within this seller's cap (never negative); 422 on `manualDiscountBp`.
    pub fn check_discount(self, discount_bp: i64) -> DomainResult<()> {
        let cap = self.cap_bp();
        if (0..=cap).contains(&discount_bp) {
            Ok(())
        } else {
            Err(DomainError::invalid(
                "manualDiscountBp",
                format!("your role may give at most {cap} basis points"),
            ))
        }
    }

    /// Whether an order at this discount waits for a manager's approval.
    pub fn needs_approval(self, discount_bp: i64) -> bool {
        self == Self::Staff && discount_bp > APPROVAL_THRESHOLD_BP
    }
}

#[cfg(test)]
mod tests {
    use super::Seller::*;

    #[test]
    fn discounts_are_capped_by_role() {
        assert!(Staff.check_discount(500).is_ok());
        assert!(Staff.check_discount(501).is_err());
        assert!(Staff.check_discount(-1).is_err());
        assert!(Manager.check_discount(1_000).is_ok());
        assert!(Manager.check_discount(1_001).is_err());
    }

    #[test]
    fn big_staff_discounts_wait_for_a_manager() {
        assert!(!Staff.needs_approval(200));
        assert!(Staff.needs_approval(201));
        assert!(
            !Manager.needs_approval(1_000),
            "a manager's sale is approved"
        );
    }
}
