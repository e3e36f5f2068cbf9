//! Instalment schedules: a down payment now, then equal monthly instalments with flat interest.
//! The rounding remainder goes on the last instalment, so the schedule sums exactly.

use chrono::{Months, NaiveDate};
use contracts::Money;
use kernel::{DomainError, DomainResult};

kernel::text_enum! {
    pub enum PaymentPlan {
        /// Everything at once.
        Full = "full",
        /// A down payment, then monthly instalments with flat interest.
        Instalments = "instalments",
    }
}

/// How the customer wants to pay, as agreed on the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub plan: PaymentPlan,
    /// Instalments: paid now.
    pub down_payment: Option<Money>,
    /// Instalments: monthly payments after the down payment.
    pub instalments: Option<i32>,
    /// Instalments: flat annual interest in basis points.
    pub annual_rate_bp: Option<i64>,
}

impl Terms {
    /// The schedule of an order of `total` agreed today; 422 naming what does not fit.
    pub fn schedule(&self, total: Money, today: NaiveDate) -> DomainResult<Schedule> {
        match self.plan {
            PaymentPlan::Full => Ok(full(total, today)),
            PaymentPlan::Instalments => {
                let count = self.instalments.ok_or_else(|| {
                    DomainError::invalid("instalments", "required for an instalment plan")
                })?;
                instalments(
                    total,
                    self.down_payment.unwrap_or(Money::ZERO),
                    count,
                    self.annual_rate_bp.unwrap_or(0),
                    today,
                )
                .ok_or_else(|| {
                    DomainError::invalid("downPayment", "must be between 0 and the order total")
                })
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    /// 0 is the down payment.
    pub number: i32,
    pub due_date: NaiveDate,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub interest: Money,
    pub payable: Money,
    pub instalments: Vec<Instalment>,
}

/// Paying in full: one instalment due today.
pub fn full(total: Money, today: NaiveDate) -> Schedule {
    Schedule {
        interest: Money::ZERO,
        payable: total,
        instalments: vec![Instalment {
            number: 0,
            due_date: today,
            amount: total,
        }],
    }
}

/// A down payment today and `count` monthly instalments (the first a month from today) on the
/// financed rest, with flat interest of `annual_rate_bp` per year.
pub fn instalments(
    total: Money,
    down_payment: Money,
    count: i32,
    annual_rate_bp: i64,
    today: NaiveDate,
) -> Option<Schedule> {
    if count < 1 || down_payment.0 < 0 || down_payment > total {
        return None;
    }
    let financed = total.checked_sub(down_payment)?;
    // financed × rate × months / 12, rounded half up, in i128 to avoid overflow.
    let numerator = i128::from(financed.0) * i128::from(annual_rate_bp) * i128::from(count);
    let interest = Money(i64::try_from((numerator + 60_000) / 120_000).ok()?);
    let repaid = financed.checked_add(interest)?;
    let each = Money(repaid.0 / i64::from(count));
    // The last instalment takes the rounding remainder.
    let last = repaid.checked_sub(each.times(i64::from(count - 1))?)?;
    let mut rows = vec![Instalment {
        number: 0,
        due_date: today,
        amount: down_payment,
    }];
    for n in 1..=count {
        let amount = if n == count { last } else { each };
        let due_date = today.checked_add_months(Months::new(u32::try_from(n).ok()?))?;
        rows.push(Instalment {
            number: n,
            due_date,
            amount,
        });
    }
    Some(Schedule {
        interest,
        payable: total.checked_add(interest)?,
        instalments: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_sum_exactly_to_what_is_payable() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let s = instalments(Money(5_000_001), Money(1_000_000), 12, 650, today).unwrap();
        // 4,000,001 × 6.5% × 12/12 = 260,000.065 → 260,000
        assert_eq!(s.interest, Money(260_000));
        assert_eq!(s.payable, Money(5_260_001));
        assert_eq!(s.instalments.len(), 13);
        assert_eq!(
            s.instalments.iter().map(|i| i.amount.0).sum::<i64>(),
            s.payable.0
        );
        // Month ends clamp: 31 Jan + 1 month = 28 Feb.
        assert_eq!(
            s.instalments[1].due_date,
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert!(instalments(Money(100), Money(200), 12, 0, today).is_none());
        assert!(instalments(Money(100), Money(0), 0, 0, today).is_none());
    }

    #[test]
    fn terms_name_what_is_missing_or_out_of_range() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let field = |terms: Terms| match terms.schedule(Money(1_000), today) {
            Err(DomainError::Invalid(errors)) => errors[0].field.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        let full = Terms {
            plan: PaymentPlan::Full,
            down_payment: None,
            instalments: None,
            annual_rate_bp: None,
        };
        let paid_at_once = full.schedule(Money(1_000), today).unwrap();
        assert_eq!(paid_at_once.instalments.len(), 1);
        let by_month = Terms {
            plan: PaymentPlan::Instalments,
            ..full
        };
        assert_eq!(field(by_month.clone()), "instalments");
        assert_eq!(
            field(Terms {
                instalments: Some(3),
                down_payment: Some(Money(2_000)),
                ..by_month
            }),
            "downPayment"
        );
    }
}
