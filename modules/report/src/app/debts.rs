//! Debts: what dealers owe the OEM, aged; what customers owe dealers, due and overdue.

use super::labels::label_ids;
use crate::domain::debts::{customer_debt, AgingBuckets, CustomerDebt};
use crate::store::{Directory, ReportStore, Scope};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerDebtLine {
    pub dealer_id: Uuid,
    pub dealer: String,
    pub open_invoices: i64,
    pub outstanding: i64,
    pub overdue: i64,
    pub aging: AgingBuckets,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerDebtReport {
    pub as_of: NaiveDate,
    pub lines: Vec<DealerDebtLine>,
    pub totals: AgingBuckets,
}

pub async fn dealer_debts(
    store: &dyn ReportStore,
    dealer_id: Option<Uuid>,
    today: NaiveDate,
) -> anyhow::Result<DealerDebtReport> {
    let invoices = store.invoice_balances(dealer_id).await?;
    let mut by_dealer: BTreeMap<Uuid, (i64, AgingBuckets)> = BTreeMap::new();
    let mut totals = AgingBuckets::default();
    for inv in invoices {
        let outstanding = inv.amount.saturating_sub(inv.paid);
        if outstanding <= 0 {
            continue;
        }
        let entry = by_dealer.entry(inv.dealer_id).or_default();
        entry.0 += 1;
        entry.1.add(outstanding, inv.due_date, today);
        totals.add(outstanding, inv.due_date, today);
    }
    let names = label_ids(store, Directory::Dealers, by_dealer.keys().copied()).await?;
    let lines = by_dealer
        .into_iter()
        .map(|(dealer_id, (open, aging))| DealerDebtLine {
            dealer: names.get(&dealer_id).cloned().unwrap_or_default(),
            dealer_id,
            open_invoices: open,
            outstanding: aging.total(),
            overdue: aging.overdue(),
            aging,
        })
        .collect();
    Ok(DealerDebtReport {
        as_of: today,
        lines,
        totals,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDebtLine {
    pub dealer_id: Uuid,
    pub dealer: String,
    /// Orders with something still to pay.
    pub open_orders: i64,
    #[serde(flatten)]
    pub debt: CustomerDebt,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueOrder {
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    #[serde(flatten)]
    pub debt: CustomerDebt,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDebtReport {
    pub as_of: NaiveDate,
    /// Instalments due from today up to this day count as due soon.
    pub due_soon_until: NaiveDate,
    pub lines: Vec<CustomerDebtLine>,
    /// Orders with overdue instalments, most overdue first (at most 100).
    pub overdue_orders: Vec<OverdueOrder>,
    pub totals: CustomerDebt,
}

pub async fn customer_debts(
    store: &dyn ReportStore,
    scope: Scope,
    today: NaiveDate,
    due_soon_days: u64,
) -> anyhow::Result<CustomerDebtReport> {
    let soon = today
        .checked_add_days(Days::new(due_soon_days))
        .unwrap_or(today);
    let orders = store.order_balances(scope).await?;
    let mut by_dealer: BTreeMap<Uuid, (i64, CustomerDebt)> = BTreeMap::new();
    let mut totals = CustomerDebt::default();
    let mut overdue_orders = Vec::new();
    for order in orders {
        let debt = customer_debt(&order.instalments, order.paid, today, soon);
        if debt.outstanding <= 0 {
            continue;
        }
        let entry = by_dealer.entry(order.dealer_id).or_default();
        entry.0 += 1;
        add(&mut entry.1, &debt);
        add(&mut totals, &debt);
        if debt.overdue > 0 {
            overdue_orders.push(OverdueOrder {
                order_id: order.order_id,
                dealer_id: order.dealer_id,
                customer_id: order.customer_id,
                staff_id: order.staff_id,
                debt,
            });
        }
    }
    overdue_orders.sort_by_key(|o| std::cmp::Reverse(o.debt.overdue));
    overdue_orders.truncate(100);
    let names = label_ids(store, Directory::Dealers, by_dealer.keys().copied()).await?;
    Ok(CustomerDebtReport {
        as_of: today,
        due_soon_until: soon,
        lines: by_dealer
            .into_iter()
            .map(|(dealer_id, (open, debt))| CustomerDebtLine {
                dealer: names.get(&dealer_id).cloned().unwrap_or_default(),
                dealer_id,
                open_orders: open,
                debt,
            })
            .collect(),
        overdue_orders,
        totals,
    })
}

fn add(total: &mut CustomerDebt, d: &CustomerDebt) {
    total.outstanding += d.outstanding;
    total.due_soon += d.due_soon;
    total.overdue += d.overdue;
    total.overdue_instalments += d.overdue_instalments;
}
