//! Dealer debt aging: outstanding invoice amounts by days past due.

use crate::domain::lifecycle::InvoiceStatus;
use chrono::NaiveDate;
use contracts::Money;
use serde::Serialize;
use utoipa::ToSchema;

/// Outstanding amounts bucketed by days past the due date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgingBuckets {
    /// Not yet due.
    pub current: Money,
    #[serde(rename = "days0To30")]
    pub days_0_30: Money,
    #[serde(rename = "days31To60")]
    pub days_31_60: Money,
    #[serde(rename = "days61To90")]
    pub days_61_90: Money,
    #[serde(rename = "daysOver90")]
    pub days_over_90: Money,
    pub total: Money,
}

impl AgingBuckets {
    /// Adds an outstanding amount due on `due` as seen on `today`.
    pub fn add(&mut self, outstanding: Money, due: NaiveDate, today: NaiveDate) {
        let late = (today - due).num_days();
        let bucket = match late {
            i64::MIN..=0 => &mut self.current,
            1..=30 => &mut self.days_0_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.days_over_90,
        };
        bucket.0 = bucket.0.saturating_add(outstanding.0);
        self.total.0 = self.total.0.saturating_add(outstanding.0);
    }
}

/// Whether an invoice with money outstanding is overdue on `today`: past its due date and not
/// fully paid.
pub fn is_overdue(status: InvoiceStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status != InvoiceStatus::Paid && due < today
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_is_overdue_after_its_due_date_until_paid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let yesterday = today - chrono::Days::new(1);
        assert!(!is_overdue(InvoiceStatus::Unpaid, today, today));
        assert!(is_overdue(InvoiceStatus::Unpaid, yesterday, today));
        assert!(is_overdue(InvoiceStatus::PartiallyPaid, yesterday, today));
        assert!(!is_overdue(InvoiceStatus::Paid, yesterday, today));
    }

    #[test]
    fn amounts_land_in_their_bucket() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut aging = AgingBuckets::default();
        aging.add(Money(100), today, today);
        aging.add(Money(200), today - chrono::Days::new(1), today);
        aging.add(Money(300), today - chrono::Days::new(45), today);
        aging.add(Money(400), today - chrono::Days::new(90), today);
        aging.add(Money(500), today - chrono::Days::new(91), today);
        assert_eq!(
            aging,
            AgingBuckets {
                current: Money(100),
                days_0_30: Money(200),
                days_31_60: Money(300),
                days_61_90: Money(400),
                days_over_90: Money(500),
                total: Money(1500),
            }
        );
    }
}
