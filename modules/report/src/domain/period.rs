//! Periods of a report: the grain figures are rolled up by, the buckets of an interval, and the
//! previous period a trend compares with.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How finely figures are bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    Month,
}

impl Interval {
    pub const ALL: [Interval; 3] = [Interval::Day, Interval::Week, Interval::Month];

    /// The one-letter grain stored in the rollups.
    pub fn grain(self) -> &'static str {
        match self {
            Interval::Day => "d",
            Interval::Week => "w",
            Interval::Month => "m",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Interval::Day),
            "week" => Some(Interval::Week),
            "month" => Some(Interval::Month),
            _ => None,
        }
    }

    /// The first day of the bucket `day` falls in (weeks start on Monday, ISO 8601).
    pub fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => day,
            Interval::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
            Interval::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Longest range one report may span, so a query stays bounded.
pub const MAX_DAYS: i64 = 3_660;

impl Range {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, &'static str> {
        if to < from {
            return Err("`to` is before `from`");
        }
        if (to - from).num_days() > MAX_DAYS {
            return Err("the range may span at most ten years");
        }
        Ok(Self { from, to })
    }

    /// The last `days` days up to and including `today`.
    pub fn trailing(today: NaiveDate, days: u64) -> Self {
        let from = today
            .checked_sub_days(Days::new(days.saturating_sub(1)))
            .unwrap_or(today);
        Self { from, to: today }
    }

    /// The month to date: the 1st of `today`'s month to `today`.
    pub fn month_to_date(today: NaiveDate) -> Self {
        Self {
            from: Interval::Month.bucket(today),
            to: today,
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The same number of days just before this range.
    pub fn previous(&self) -> Self {
        let len = u64::try_from(self.days()).unwrap_or(1);
        let to = self
            .from
            .checked_sub_days(Days::new(1))
            .unwrap_or(self.from);
        let from = to.checked_sub_days(Days::new(len - 1)).unwrap_or(to);
        Self { from, to }
    }

    /// The same days one month earlier (month-to-date compares with the previous month's).
    pub fn previous_month(&self) -> Self {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(1)).unwrap_or(d);
        Self {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// Whether every bucket of `interval` in this range is whole, so a rollup answers exactly.
    pub fn aligned_to(&self, interval: Interval) -> bool {
        let next = self.to.checked_add_days(Days::new(1));
        interval.bucket(self.from) == self.from && next.is_some_and(|n| interval.bucket(n) == n)
    }
}

/// `YYYY-MM` of a day (the key of monthly targets).
pub fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn buckets_start_on_monday_and_the_first_of_the_month() {
        assert_eq!(Interval::Week.bucket(d("2026-12-03")), d("2026-11-30"));
        assert_eq!(Interval::Week.bucket(d("2026-11-30")), d("2026-11-30"));
        assert_eq!(Interval::Month.bucket(d("2026-12-31")), d("2026-12-01"));
        assert_eq!(Interval::Day.bucket(d("2026-12-31")), d("2026-12-31"));
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let r = Range::new(d("2026-12-01"), d("2026-12-10")).unwrap();
        let p = r.previous();
        assert_eq!(p, Range::new(d("2026-11-21"), d("2026-11-30")).unwrap());
        assert_eq!(p.days(), r.days());
        let mtd = Range::month_to_date(d("2026-03-31"));
        assert_eq!(mtd.previous_month().to, d("2026-02-28"));
    }

    #[test]
    fn ranges_are_bounded_and_ordered() {
        assert!(Range::new(d("2026-12-02"), d("2026-12-01")).is_err());
        assert!(Range::new(d("2000-01-01"), d("2026-12-01")).is_err());
    }

    #[test]
    fn alignment_tells_when_a_rollup_is_exact() {
        let year = Range::new(d("2026-01-01"), d("2026-12-31")).unwrap();
        assert!(year.aligned_to(Interval::Month));
        assert!(!Range::new(d("2026-01-01"), d("2026-12-30"))
            .unwrap()
            .aligned_to(Interval::Month));
        assert!(year.aligned_to(Interval::Day));
        assert_eq!(month_key(d("2026-03-09")), "2026-03");
    }
}
