//! Debt rules: dealer invoices aged by days past due, and customer instalments settled oldest
//! first by what the customer has paid.

use chrono::NaiveDate;
use serde::Serialize;

/// Dealer debt by days past due (not yet due is `current`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgingBuckets {
    pub current: i64,
    #[serde(rename = "days0To30")]
    pub days0_30: i64,
    #[serde(rename = "days31To60")]
    pub days31_60: i64,
    #[serde(rename = "days61To90")]
    pub days61_90: i64,
    pub days90_plus: i64,
}

impl AgingBuckets {
    pub fn add(&mut self, outstanding: i64, due_date: NaiveDate, today: NaiveDate) {
        let late = (today - due_date).num_days();
        let bucket = match late {
            i64::MIN..=0 => &mut self.current,
            1..=30 => &mut self.days0_30,
            31..=60 => &mut self.days31_60,
            61..=90 => &mut self.days61_90,
            _ => &mut self.days90_plus,
        };
        *bucket = bucket.saturating_add(outstanding);
    }

    pub fn total(&self) -> i64 {
        self.current
            .saturating_add(self.days0_30)
            .saturating_add(self.days31_60)
            .saturating_add(self.days61_90)
            .saturating_add(self.days90_plus)
    }

    pub fn overdue(&self) -> i64 {
        self.total().saturating_sub(self.current)
    }
}

/// What a customer owes on one order as of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDebt {
    /// Everything still unpaid.
    pub outstanding: i64,
    /// Unpaid instalments due within the window (today included), not yet late.
    pub due_soon: i64,
    /// Unpaid instalments whose due date has passed.
    pub overdue: i64,
    pub overdue_instalments: i64,
}

/// Settles `paid` against the instalments oldest first and reports what is left, as of `today`,
/// counting instalments due up to `soon` (inclusive) as due soon.
pub fn customer_debt(
    instalments: &[(NaiveDate, i64)],
    paid: i64,
    today: NaiveDate,
    soon: NaiveDate,
) -> CustomerDebt {
    let mut sorted = instalments.to_vec();
    sorted.sort_by_key(|(due, _)| *due);
    let mut credit = paid.max(0);
    let mut debt = CustomerDebt::default();
    for (due, amount) in sorted {
        let covered = credit.min(amount);
        credit -= covered;
        let left = amount - covered;
        if left <= 0 {
            continue;
        }
        debt.outstanding += left;
        if due < today {
            debt.overdue += left;
            debt.overdue_instalments += 1;
        } else if due <= soon {
            debt.due_soon += left;
        }
    }
    debt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn invoices_age_into_their_bucket_by_days_past_due() {
        let today = d("2026-12-01");
        let mut b = AgingBuckets::default();
        b.add(1, d("2026-12-05"), today);
        b.add(10, d("2026-12-01"), today);
        b.add(100, d("2026-11-30"), today);
        b.add(1_000, d("2026-10-31"), today); // 31 days
        b.add(10_000, d("2026-09-02"), today); // 90 days
        b.add(100_000, d("2026-09-01"), today); // 91 days
        assert_eq!(b.current, 11);
        assert_eq!(b.days0_30, 100);
        assert_eq!(b.days31_60, 1_000);
        assert_eq!(b.days61_90, 10_000);
        assert_eq!(b.days90_plus, 100_000);
        assert_eq!(b.overdue(), 111_100);
    }

    #[test]
    fn payments_settle_the_oldest_instalment_first() {
        let today = d("2026-12-01");
        let plan = [
            (d("2026-10-01"), 100),
            (d("2026-11-01"), 100),
            (d("2026-12-05"), 100),
            (d("2027-01-05"), 100),
        ];
        let debt = customer_debt(&plan, 150, today, d("2026-12-31"));
        assert_eq!(debt.outstanding, 250);
        assert_eq!(debt.overdue, 50);
        assert_eq!(debt.overdue_instalments, 1);
        assert_eq!(debt.due_soon, 100);
        let settled = customer_debt(&plan, 400, today, d("2026-12-31"));
        assert_eq!(settled, CustomerDebt::default());
    }
}
