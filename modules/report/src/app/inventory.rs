//! Inventory figures: on hand, aging, turnover, consumption speed and days of supply, per dealer
//! and variant (dealer side) or per variant (OEM side: allocated, in transit, shipped).

use super::labels::label_ids;
use crate::store::{Directory, ReportStore, Scope, UnitCounts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Aging {
    #[serde(rename = "days0To30")]
    pub days0_30: i64,
    #[serde(rename = "days31To60")]
    pub days31_60: i64,
    #[serde(rename = "days61To90")]
    pub days61_90: i64,
    pub days90_plus: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryLine {
    pub dealer_id: Option<Uuid>,
    pub dealer: Option<String>,
    pub variant_id: Uuid,
    pub variant: String,
    /// OEM side: allocated to a dealer order, not yet shipped.
    pub allocated: i64,
    pub in_transit: i64,
    /// Received by the dealer and not yet delivered to a customer (reserved included).
    pub on_hand: i64,
    pub reserved: i64,
    pub aging: Aging,
    /// Units sold (dealer side) or shipped (OEM side) in the window.
    pub moved: i64,
    /// `moved` per week over the window.
    pub weekly_rate: f64,
    /// How long what is on hand lasts at that rate; absent when nothing moves.
    pub days_of_supply: Option<f64>,
    /// Annualised: units moved per year over units on hand; absent when nothing is on hand.
    pub turnover: Option<f64>,
    pub average_days_in_stock: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReport {
    /// `dealer` or `oem`.
    pub side: String,
    pub window_days: i64,
    pub lines: Vec<InventoryLine>,
}

pub async fn inventory(
    store: &dyn ReportStore,
    scope: Scope,
    oem_side: bool,
    window_days: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<InventoryReport> {
    let counts = store
        .units(scope, oem_side, now, now - Duration::days(window_days))
        .await?;
    let variants = label_ids(
        store,
        Directory::Variants,
        counts.iter().map(|c| c.variant_id),
    )
    .await?;
    let dealers = label_ids(
        store,
        Directory::Dealers,
        counts.iter().filter_map(|c| c.dealer_id),
    )
    .await?;
    let mut lines: Vec<InventoryLine> = counts
        .into_iter()
        .map(|c| line(c, window_days, &variants, &dealers))
        .collect();
    lines.sort_by(|a, b| (&a.dealer, &a.variant).cmp(&(&b.dealer, &b.variant)));
    Ok(InventoryReport {
        side: if oem_side { "oem" } else { "dealer" }.into(),
        window_days,
        lines,
    })
}

fn line(
    c: UnitCounts,
    window_days: i64,
    variants: &std::collections::HashMap<Uuid, String>,
    dealers: &std::collections::HashMap<Uuid, String>,
) -> InventoryLine {
    let window = window_days.max(1) as f64;
    let daily = c.moved_in_window as f64 / window;
    InventoryLine {
        dealer: c.dealer_id.and_then(|d| dealers.get(&d).cloned()),
        variant: variants
            .get(&c.variant_id)
            .cloned()
            .unwrap_or_else(|| c.variant_id.to_string()),
        dealer_id: c.dealer_id,
        variant_id: c.variant_id,
        allocated: c.allocated,
        in_transit: c.in_transit,
        on_hand: c.on_hand,
        reserved: c.reserved,
        aging: Aging {
            days0_30: c.aged_0_30,
            days31_60: c.aged_31_60,
            days61_90: c.aged_61_90,
            days90_plus: c.aged_90_plus,
        },
        moved: c.moved_in_window,
        weekly_rate: daily * 7.0,
        days_of_supply: (daily > 0.0).then(|| c.on_hand as f64 / daily),
        turnover: (c.on_hand > 0).then(|| daily * 365.0 / c.on_hand as f64),
        average_days_in_stock: (c.days_in_stock_count > 0)
            .then(|| c.days_in_stock_sum as f64 / c.days_in_stock_count as f64),
    }
}
