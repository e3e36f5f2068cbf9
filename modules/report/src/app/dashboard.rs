//! The dashboard: role-aware KPI cards, each with the previous period for its trend.

use super::{debts, funnel::funnel, inventory::inventory, sales::sales, sales::SalesQuery};
use crate::domain::{
    facts::OrderKind,
    period::{Interval, Range},
};
use crate::store::{ReportStore, SalesFilter, Scope};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A figure on the dashboard. Money is in minor units; ratios are 0..1.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KpiCard {
    pub key: String,
    pub label: String,
    /// `count`, `money` or `ratio`.
    pub unit: String,
    #[schema(value_type = f64)]
    pub value: serde_json::Number,
    /// The same figure over the previous period; absent for snapshots.
    #[schema(value_type = Option<f64>)]
    pub previous: Option<serde_json::Number>,
    /// Relative change against `previous` (0.1 = +10 %); absent when there is no base.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// When the cards were read (a dashboard may be served from a short cache).
    pub as_of: DateTime<Utc>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub previous_from: chrono::NaiveDate,
    pub previous_to: chrono::NaiveDate,
    pub currency: String,
    pub cards: Vec<KpiCard>,
}

fn int_card(key: &str, label: &str, unit: &str, value: i64, previous: Option<i64>) -> KpiCard {
    KpiCard {
        key: key.into(),
        label: label.into(),
        unit: unit.into(),
        value: value.into(),
        previous: previous.map(Into::into),
        change: previous
            .filter(|p| *p != 0)
            .map(|p| (value - p) as f64 / p.abs() as f64),
    }
}

fn ratio_card(key: &str, label: &str, value: f64, previous: f64) -> KpiCard {
    let number = |x: f64| serde_json::Number::from_f64((x * 10_000.0).round() / 10_000.0);
    KpiCard {
        key: key.into(),
        label: label.into(),
        unit: "ratio".into(),
        value: number(value).unwrap_or_else(|| 0.into()),
        previous: number(previous),
        change: (previous != 0.0).then(|| (value - previous) / previous),
    }
}

/// What the caller's role shows: the OEM the network, managers their dealer (dealer debt
/// included), staff their own sales, leads and customers.
pub struct DashboardRequest {
    pub scope: Scope,
    pub range: Range,
    pub previous: Range,
    pub show_dealer_debt: bool,
    pub show_stock: bool,
    pub oem: bool,
    pub currency: String,
    pub now: DateTime<Utc>,
}

pub async fn dashboard(
    store: &dyn ReportStore,
    req: DashboardRequest,
) -> anyhow::Result<Dashboard> {
    let totals = |range: Range| SalesQuery {
        scope: req.scope,
        group_by: None,
        interval: Interval::Month,
        range,
        filter: SalesFilter::default(),
    };
    let (now_q, before_q) = (totals(req.range), totals(req.previous));
    let today = req.now.date_naive();
    // The figures are independent reads: run them together, so the card set costs about as
    // much as its slowest query rather than the sum of them all.
    let (now_sales, before_sales, retail, retail_before, leads, leads_before, customers) = tokio::try_join!(
        sales(store, &now_q),
        sales(store, &before_q),
        store.pipeline(req.scope, OrderKind::Retail, req.range.from, req.range.to),
        store.pipeline(
            req.scope,
            OrderKind::Retail,
            req.previous.from,
            req.previous.to
        ),
        funnel(store, req.scope, req.range),
        funnel(store, req.scope, req.previous),
        debts::customer_debts(store, req.scope, today, 7),
    )?;
    let (stock, dealers, oem) = tokio::try_join!(
        async {
            if req.show_stock {
                inventory(store, req.scope, false, 90, req.now)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if req.show_dealer_debt {
                debts::dealer_debts(store, req.scope.dealer_id, today)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if req.oem {
                let (now, before) = tokio::try_join!(
                    store.pipeline(req.scope, OrderKind::Oem, req.range.from, req.range.to),
                    store.pipeline(
                        req.scope,
                        OrderKind::Oem,
                        req.previous.from,
                        req.previous.to
                    ),
                )?;
                Ok(Some((now, before)))
            } else {
                Ok(None)
            }
        },
    )?;
    let (n, b) = (now_sales.totals, before_sales.totals);
    let mut cards = vec![
        int_card("unitsSold", "Units sold", "count", n.units, Some(b.units)),
        int_card("revenue", "Revenue", "money", n.revenue, Some(b.revenue)),
        int_card("margin", "Gross margin", "money", n.margin, Some(b.margin)),
        int_card(
            "discount",
            "Discounts given",
            "money",
            n.discount,
            Some(b.discount),
        ),
        int_card(
            "ordersCreated",
            "Sales orders created",
            "count",
            retail.created,
            Some(retail_before.created),
        ),
        int_card(
            "ordersOpen",
            "Sales orders open",
            "count",
            retail.open,
            Some(retail_before.open),
        ),
    ];
    if let Some((now, before)) = oem {
        cards.push(int_card(
            "dealerOrdersPlaced",
            "Dealer orders placed",
            "count",
            now.created,
            Some(before.created),
        ));
    }
    cards.push(int_card(
        "leadsCreated",
        "New leads",
        "count",
        leads.created,
        Some(leads_before.created),
    ));
    cards.push(ratio_card(
        "leadWinRate",
        "Lead win rate",
        leads.win_rate,
        leads_before.win_rate,
    ));
    cards.push(ratio_card(
        "testDriveConversion",
        "Test drive to sale",
        leads.test_drives.conversion,
        leads_before.test_drives.conversion,
    ));
    if let Some(stock) = stock {
        let on_hand: i64 = stock.lines.iter().map(|l| l.on_hand).sum();
        let aged: i64 = stock.lines.iter().map(|l| l.aging.days90_plus).sum();
        cards.push(int_card(
            "stockOnHand",
            "Units in dealer stock",
            "count",
            on_hand,
            None,
        ));
        cards.push(int_card(
            "stockAged90",
            "Units in stock over 90 days",
            "count",
            aged,
            None,
        ));
    }
    cards.push(int_card(
        "customerOverdue",
        "Customer instalments overdue",
        "money",
        customers.totals.overdue,
        None,
    ));
    if let Some(dealers) = dealers {
        cards.push(int_card(
            "dealerDebtOverdue",
            "Dealer debt overdue",
            "money",
            dealers.totals.overdue(),
            None,
        ));
    }
    Ok(Dashboard {
        as_of: req.now,
        from: req.range.from,
        to: req.range.to,
        previous_from: req.previous.from,
        previous_to: req.previous.to,
        currency: req.currency,
        cards,
    })
}
