//! Customer payments: what an order still owes, how a payment is applied to its instalments
//! (oldest first), and when an instalment is overdue. Amounts are `Money`; nothing is
//! subtracted unchecked.

use chrono::NaiveDate;
use contracts::Money;
use kernel::{DomainError, DomainResult};
use uuid::Uuid;

kernel::text_enum! {
    pub enum PaymentMethod {
        Cash = "cash",
        Card = "card",
        Transfer = "transfer",
        Financing = "financing",
    }
}

/// An order's money: what it costs in all (`payable`, interest included) and what was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub payable: Money,
    pub paid: Money,
}

/// A stored amount that breaks arithmetic (e.g. paid more than payable) is a defect, not input.
fn corrupt(what: &str) -> DomainError {
    DomainError::Internal(anyhow::anyhow!("{what} does not add up"))
}

impl Balance {
    pub fn outstanding(self) -> DomainResult<Money> {
        self.payable
            .checked_sub(self.paid)
            .filter(|left| *left >= Money::ZERO)
            .ok_or_else(|| corrupt("the order's balance"))
    }

    /// The balance after receiving `amount`: positive and at most what is outstanding, else
    /// 422 on `amount` (an overpayment changes nothing).
    pub fn receive(self, amount: Money) -> DomainResult<Balance> {
        let outstanding = self.outstanding()?;
        if amount <= Money::ZERO {
            return Err(DomainError::invalid("amount", "must be positive"));
        }
        if amount > outstanding {
            return Err(DomainError::invalid(
                "amount",
                format!("exceeds the outstanding {}", outstanding.0),
            ));
        }
        let paid = self
            .paid
            .checked_add(amount)
            .ok_or_else(|| corrupt("the order's balance"))?;
        Ok(Balance { paid, ..self })
    }

    /// Everything is paid: the order moves on to delivery.
    pub fn is_settled(self) -> bool {
        self.paid == self.payable
    }
}

/// One instalment of a schedule as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    pub id: Uuid,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub paid: Money,
}

impl Instalment {
    pub fn due(self) -> DomainResult<Money> {
        self.amount
            .checked_sub(self.paid)
            .filter(|left| *left >= Money::ZERO)
            .ok_or_else(|| corrupt("an instalment"))
    }

    /// Past its due date and not fully paid.
    pub fn is_overdue(self, today: NaiveDate) -> bool {
        self.paid < self.amount && self.due_date < today
    }
}

/// Applies a payment to the instalments in schedule order, oldest unpaid first. Returns each
/// instalment whose paid amount changes, with its new paid amount.
pub fn allocate(schedule: &[Instalment], amount: Money) -> DomainResult<Vec<(Uuid, Money)>> {
    let mut left = amount;
    let mut changes = Vec::new();
    for row in schedule {
        if left == Money::ZERO {
            break;
        }
        let take = row.due()?.min(left);
        if take > Money::ZERO {
            let paid = row
                .paid
                .checked_add(take)
                .ok_or_else(|| corrupt("an instalment"))?;
            changes.push((row.id, paid));
            left = left.checked_sub(take).ok_or_else(|| corrupt("a payment"))?;
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
    }

    fn row(n: u128, amount: i64, paid: i64) -> Instalment {
        Instalment {
            id: Uuid::from_u128(n),
            due_date: day(1),
            amount: Money(amount),
            paid: Money(paid),
        }
    }

    #[test]
    fn a_payment_is_at_most_what_is_outstanding() {
        let balance = Balance {
            payable: Money(1_000),
            paid: Money(400),
        };
        assert_eq!(balance.outstanding().unwrap(), Money(600));
        let after = balance.receive(Money(600)).unwrap();
        assert!(after.is_settled());
        assert_eq!(after.outstanding().unwrap(), Money::ZERO);
        match balance.receive(Money(601)) {
            Err(DomainError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "amount");
                assert!(errors[0].message.contains("600"));
            }
            other => panic!("expected an overpayment refusal, got {other:?}"),
        }
        assert!(balance.receive(Money::ZERO).is_err());
        assert!(!balance.receive(Money(1)).unwrap().is_settled());
    }

    #[test]
    fn a_broken_balance_is_an_error_not_a_negative_amount() {
        let overpaid = Balance {
            payable: Money(100),
            paid: Money(200),
        };
        assert!(matches!(
            overpaid.outstanding(),
            Err(DomainError::Internal(_))
        ));
        let overflow = Balance {
            payable: Money(i64::MIN),
            paid: Money(1),
        };
        assert!(overflow.outstanding().is_err());
    }

    #[test]
    fn payments_fill_the_oldest_instalments_first() {
        let schedule = [row(1, 500, 500), row(2, 300, 100), row(3, 300, 0)];
        let changes = allocate(&schedule, Money(350)).unwrap();
        assert_eq!(
            changes,
            [
                (Uuid::from_u128(2), Money(300)),
                (Uuid::from_u128(3), Money(150))
            ]
        );
        assert!(allocate(&schedule, Money::ZERO).unwrap().is_empty());
    }

    #[test]
    fn an_instalment_is_overdue_after_its_date_until_paid() {
        let open = row(1, 300, 100);
        assert!(!open.is_overdue(day(1)));
        assert!(open.is_overdue(day(2)));
        assert_eq!(open.due().unwrap(), Money(200));
        assert!(!row(2, 300, 300).is_overdue(day(9)));
    }
}
