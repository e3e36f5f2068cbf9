//! Dealer contracts: a dealer orders from the OEM only under a contract in force, whose period
//! does not overlap another active contract of the same dealer.

use chrono::NaiveDate;
use kernel::{DomainError, DomainResult, ErrorCode, Lifecycle};

kernel::text_enum! {
    /// A contract is active until it ends or is terminated early.
    pub enum DealerContractStatus {
        Active = "active",
        Terminated = "terminated",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractAction {
    Terminate,
}

impl Lifecycle for DealerContractStatus {
    type Action = ContractAction;
    const ACTIONS: &'static [ContractAction] = &[ContractAction::Terminate];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(_: ContractAction) -> &'static str {
        "terminate"
    }

    fn next(self, action: ContractAction) -> Option<Self> {
        match (self, action) {
            (DealerContractStatus::Active, ContractAction::Terminate) => {
                Some(DealerContractStatus::Terminated)
            }
            _ => None,
        }
    }
}

/// Payment terms when a contract names none (days from shipment to the invoice's due date).
pub const DEFAULT_PAYMENT_TERMS_DAYS: i32 = 30;

/// A contract's period: `ends_on` may not come before `starts_on` (422 on `endsOn`).
pub fn check_period(starts_on: NaiveDate, ends_on: NaiveDate) -> DomainResult<()> {
    if ends_on < starts_on {
        return Err(DomainError::invalid(
            "endsOn",
            "must not be before startsOn",
        ));
    }
    Ok(())
}

/// Whether two periods share at least one day (both ends inclusive).
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// 409 `overlapping_contract` naming the active contract a new one would overlap.
pub fn overlapping(number: &str, starts_on: NaiveDate, ends_on: NaiveDate) -> DomainError {
    DomainError::conflict(
        ErrorCode::OverlappingContract,
        format!("overlaps active contract {number} ({starts_on} – {ends_on})"),
    )
}

/// Whether a contract is in force on `today`: active, and `today` within its period.
pub fn in_force(
    status: DealerContractStatus,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    status == DealerContractStatus::Active && starts_on <= today && today <= ends_on
}

/// The contract in force, or 409 `no_contract`: a dealer places orders, and has them approved,
/// only under a contract in force.
pub fn require_in_force<C>(contract: Option<C>) -> DomainResult<C> {
    contract.ok_or_else(|| {
        DomainError::conflict(
            ErrorCode::NoContract,
            "the dealer has no contract in force with the manufacturer",
        )
    })
}

/// The day an invoice issued on `issued` falls due under `terms_days` of payment terms.
pub fn due_date(issued: NaiveDate, terms_days: Option<i32>) -> NaiveDate {
    let days = terms_days
        .and_then(|d| u64::try_from(d).ok())
        .unwrap_or(DEFAULT_PAYMENT_TERMS_DAYS as u64);
    issued + chrono::Days::new(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_contract_is_in_force_inside_its_period_while_active() {
        let (start, end) = (day(10), day(20));
        assert!(in_force(DealerContractStatus::Active, start, end, day(10)));
        assert!(in_force(DealerContractStatus::Active, start, end, day(20)));
        assert!(!in_force(DealerContractStatus::Active, start, end, day(9)));
        assert!(!in_force(DealerContractStatus::Active, start, end, day(21)));
        assert!(!in_force(
            DealerContractStatus::Terminated,
            start,
            end,
            day(15)
        ));
    }

    #[test]
    fn an_order_needs_a_contract_in_force() {
        assert_eq!(require_in_force(Some(7)).ok(), Some(7));
        match require_in_force::<()>(None) {
            Err(DomainError::Conflict { code, .. }) => assert_eq!(code, ErrorCode::NoContract),
            other => panic!("expected no_contract, got {other:?}"),
        }
    }

    #[test]
    fn periods_are_checked_and_overlaps_found() {
        assert!(check_period(day(1), day(1)).is_ok());
        assert!(matches!(
            check_period(day(2), day(1)),
            Err(DomainError::Invalid(_))
        ));
        assert!(overlaps((day(1), day(10)), (day(10), day(20))));
        assert!(overlaps((day(5), day(6)), (day(1), day(20))));
        assert!(!overlaps((day(1), day(9)), (day(10), day(20))));
    }

    #[test]
    fn only_an_active_contract_is_terminated() {
        assert_eq!(
            DealerContractStatus::Active
                .apply(ContractAction::Terminate)
                .ok(),
            Some(DealerContractStatus::Terminated)
        );
        assert!(matches!(
            DealerContractStatus::Terminated.apply(ContractAction::Terminate),
            Err(DomainError::IllegalTransition { .. })
        ));
    }

    #[test]
    fn invoices_fall_due_after_the_payment_terms() {
        assert_eq!(due_date(day(1), Some(14)), day(15));
        assert_eq!(
            due_date(day(1), None),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
