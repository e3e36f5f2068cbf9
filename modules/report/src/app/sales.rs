//! Sales figures: the cheapest table that carries every dimension asked for, over whole
//! buckets of the coarse rollup plus partial edge buckets from the daily one, so any range is
//! exact and a year by month reads a few hundred rows.

use super::labels::label_keys;
use crate::domain::period::{Interval, Range};
use crate::store::{
    GroupBy, Measures, ReportStore, SalesFilter, SalesRow, SalesSlice, SalesSource, Scope,
};
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct SalesQuery {
    pub scope: Scope,
    pub group_by: Option<GroupBy>,
    pub interval: Interval,
    pub range: Range,
    pub filter: SalesFilter,
}

/// One bucket of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesLine {
    pub period: NaiveDate,
    pub key: String,
    pub label: String,
    pub measures: Measures,
}

#[derive(Debug, Clone)]
pub struct SalesFigures {
    pub lines: Vec<SalesLine>,
    pub totals: Measures,
}

/// The table that can answer: the product or seller rollup when it carries every dimension of
/// the grouping, the filters and the scope; the facts otherwise.
pub fn source_for(q: &SalesQuery) -> SalesSource {
    let mut product = q.group_by.is_none_or(GroupBy::in_product_rollup);
    let mut seller = q.group_by.is_none_or(GroupBy::in_seller_rollup);
    if q.filter.variant_id.is_some() || q.filter.model_id.is_some() {
        seller = false;
    }
    if q.filter.branch_id.is_some() || q.scope.staff_id.is_some() {
        product = false;
    }
    if product {
        SalesSource::ByProduct
    } else if seller {
        SalesSource::BySeller
    } else {
        SalesSource::Facts
    }
}

/// Whole buckets of `interval` inside `range` (if any), and the partial days before and after.
pub fn split(range: Range, interval: Interval) -> (Option<Range>, Vec<Range>) {
    if interval == Interval::Day {
        return (Some(range), vec![]);
    }
    let first = if interval.bucket(range.from) == range.from {
        Some(range.from)
    } else {
        next_bucket(interval, range.from)
    };
    let after_to = range.to.checked_add_days(Days::new(1));
    let last_end = after_to
        .map(|n| interval.bucket(n))
        .and_then(|b| b.pred_opt());
    match (first, last_end) {
        (Some(first), Some(last)) if first <= last => {
            let mut edges = Vec::new();
            if range.from < first {
                edges.push(Range {
                    from: range.from,
                    to: first.pred_opt().unwrap_or(first),
                });
            }
            if last < range.to {
                edges.push(Range {
                    from: last.succ_opt().unwrap_or(last),
                    to: range.to,
                });
            }
            (
                Some(Range {
                    from: first,
                    to: last,
                }),
                edges,
            )
        }
        _ => (None, vec![range]),
    }
}

fn next_bucket(interval: Interval, day: NaiveDate) -> Option<NaiveDate> {
    let start = interval.bucket(day);
    match interval {
        Interval::Day => start.succ_opt(),
        Interval::Week => start.checked_add_days(Days::new(7)),
        Interval::Month => start.checked_add_months(chrono::Months::new(1)),
    }
}

pub async fn sales(store: &dyn ReportStore, q: &SalesQuery) -> anyhow::Result<SalesFigures> {
    let source = source_for(q);
    let mut slices = Vec::new();
    let slice = |grain, range: Range| SalesSlice {
        source,
        grain,
        from: range.from,
        to: range.to,
        group_by: q.group_by,
        scope: q.scope,
        filter: q.filter.clone(),
    };
    if source == SalesSource::Facts {
        slices.push(slice(Interval::Day, q.range));
    } else {
        let (whole, edges) = split(q.range, q.interval);
        if let Some(whole) = whole {
            slices.push(slice(q.interval, whole));
        }
        slices.extend(edges.into_iter().map(|r| slice(Interval::Day, r)));
    }
    let mut buckets: BTreeMap<(NaiveDate, String), Measures> = BTreeMap::new();
    let mut totals = Measures::default();
    for s in &slices {
        for SalesRow {
            period,
            key,
            measures,
        } in store.sales(s).await?
        {
            totals.add(&measures);
            buckets
                .entry((q.interval.bucket(period), key))
                .or_default()
                .add(&measures);
        }
    }
    let labels = label_keys(store, q.group_by, buckets.keys().map(|(_, k)| k.as_str())).await?;
    let lines = buckets
        .into_iter()
        .map(|((period, key), measures)| SalesLine {
            label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
            period,
            key,
            measures,
        })
        .collect();
    Ok(SalesFigures { lines, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn r(a: &str, b: &str) -> Range {
        Range::new(d(a), d(b)).unwrap()
    }

    #[test]
    fn a_ragged_range_splits_into_whole_months_and_edge_days() {
        let (whole, edges) = split(r("2026-01-15", "2026-12-10"), Interval::Month);
        assert_eq!(whole, Some(r("2026-02-01", "2026-11-30")));
        assert_eq!(
            edges,
            vec![r("2026-01-15", "2026-01-31"), r("2026-12-01", "2026-12-10")]
        );
        let (whole, edges) = split(r("2026-01-01", "2026-12-31"), Interval::Month);
        assert_eq!(whole, Some(r("2026-01-01", "2026-12-31")));
        assert!(edges.is_empty());
        let (whole, edges) = split(r("2026-03-03", "2026-03-20"), Interval::Month);
        assert_eq!(whole, None);
        assert_eq!(edges, vec![r("2026-03-03", "2026-03-20")]);
    }

    #[test]
    fn the_source_carries_every_dimension_asked_for() {
        let q = |group_by, filter: SalesFilter, staff| SalesQuery {
            scope: Scope {
                dealer_id: None,
                staff_id: staff,
            },
            group_by,
            interval: Interval::Month,
            range: r("2026-01-01", "2026-12-31"),
            filter,
        };
        assert_eq!(
            source_for(&q(Some(GroupBy::Region), SalesFilter::default(), None)),
            SalesSource::ByProduct
        );
        assert_eq!(
            source_for(&q(Some(GroupBy::Salesperson), SalesFilter::default(), None)),
            SalesSource::BySeller
        );
        let staff = Some(uuid::Uuid::now_v7());
        assert_eq!(
            source_for(&q(Some(GroupBy::Dealer), SalesFilter::default(), staff)),
            SalesSource::BySeller
        );
        assert_eq!(
            source_for(&q(Some(GroupBy::Variant), SalesFilter::default(), staff)),
            SalesSource::Facts
        );
        let by_model = SalesFilter {
            model_id: Some(uuid::Uuid::now_v7()),
            ..SalesFilter::default()
        };
        assert_eq!(
            source_for(&q(Some(GroupBy::Branch), by_model, None)),
            SalesSource::Facts
        );
    }
}
