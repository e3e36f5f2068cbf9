//! Target achievement per dealer and month, with each salesperson's share; promotion uptake.

use super::labels::label_ids;
use super::sales::{sales, SalesQuery};
use crate::domain::{
    funnel::ratio,
    period::{month_key, Interval, Range},
};
use crate::store::{Directory, GroupBy, ReportStore, SalesFilter, Scope};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SellerAchievement {
    pub staff_id: Uuid,
    pub name: String,
    pub units: i64,
    pub revenue: i64,
    /// This salesperson's units over the dealer's unit target.
    pub share_of_target: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetLine {
    pub dealer_id: Uuid,
    pub dealer: String,
    /// `YYYY-MM`
    pub period: String,
    pub target_units: i64,
    pub target_revenue: i64,
    pub units: i64,
    pub revenue: i64,
    pub units_achievement: f64,
    pub revenue_achievement: f64,
    pub salespeople: Vec<SellerAchievement>,
}

pub async fn targets(
    store: &dyn ReportStore,
    scope: Scope,
    months: Range,
) -> anyhow::Result<Vec<TargetLine>> {
    let targets = store
        .targets(
            scope.dealer_id,
            &month_key(months.from),
            &month_key(months.to),
        )
        .await?;
    let by_dealer = sales(
        store,
        &SalesQuery {
            scope,
            group_by: Some(GroupBy::Dealer),
            interval: Interval::Month,
            range: months,
            filter: SalesFilter::default(),
        },
    )
    .await?;
    let by_seller = sales(
        store,
        &SalesQuery {
            scope,
            group_by: Some(GroupBy::Salesperson),
            interval: Interval::Month,
            range: months,
            filter: SalesFilter::default(),
        },
    )
    .await?;
    let actual: HashMap<(String, String), (i64, i64)> = by_dealer
        .lines
        .iter()
        .map(|l| {
            (
                (l.key.clone(), month_key(l.period)),
                (l.measures.units, l.measures.revenue),
            )
        })
        .collect();
    let names = label_ids(
        store,
        Directory::Dealers,
        targets.iter().map(|t| t.dealer_id),
    )
    .await?;
    let staff_dealers = staff_dealers(store, &by_seller.lines).await?;
    Ok(targets
        .into_iter()
        .map(|t| {
            let (units, revenue) = actual
                .get(&(t.dealer_id.to_string(), t.period.clone()))
                .copied()
                .unwrap_or_default();
            let salespeople = by_seller
                .lines
                .iter()
                .filter(|l| month_key(l.period) == t.period)
                .filter_map(|l| {
                    let staff_id: Uuid = l.key.parse().ok()?;
                    (staff_dealers.get(&staff_id) == Some(&t.dealer_id)).then(|| {
                        SellerAchievement {
                            staff_id,
                            name: l.label.clone(),
                            units: l.measures.units,
                            revenue: l.measures.revenue,
                            share_of_target: ratio(l.measures.units, t.units),
                        }
                    })
                })
                .collect();
            TargetLine {
                dealer: names.get(&t.dealer_id).cloned().unwrap_or_default(),
                dealer_id: t.dealer_id,
                period: t.period,
                target_units: t.units,
                target_revenue: t.revenue,
                units,
                revenue,
                units_achievement: ratio(units, t.units),
                revenue_achievement: ratio(revenue, t.revenue),
                salespeople,
            }
        })
        .collect())
}

/// Which dealer each salesperson sells for (from the seller rollup's own rows).
async fn staff_dealers(
    store: &dyn ReportStore,
    lines: &[super::sales::SalesLine],
) -> anyhow::Result<HashMap<Uuid, Uuid>> {
    let ids: Vec<Uuid> = lines.iter().filter_map(|l| l.key.parse().ok()).collect();
    store.staff_dealers(&ids).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionLine {
    pub promotion_id: Uuid,
    pub name: String,
    /// `oem` or `dealer`.
    pub source: String,
    pub sales: i64,
    pub discount: i64,
    /// Share of the sales in the range that used it.
    pub uptake: f64,
}

pub async fn promotions(
    store: &dyn ReportStore,
    scope: Scope,
    range: Range,
) -> anyhow::Result<Vec<PromotionLine>> {
    let uses = store.promotion_uses(scope, range.from, range.to).await?;
    let total = sales(
        store,
        &SalesQuery {
            scope,
            group_by: None,
            interval: Interval::Month,
            range,
            filter: SalesFilter::default(),
        },
    )
    .await?
    .totals
    .units;
    Ok(uses
        .into_iter()
        .map(|u| PromotionLine {
            promotion_id: u.promotion_id,
            name: u.name,
            source: u.source,
            sales: u.sales,
            discount: u.discount,
            uptake: ratio(u.sales, total),
        })
        .collect())
}
