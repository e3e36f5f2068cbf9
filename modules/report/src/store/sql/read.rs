//! Queries over the SQL read models. Sums are cast to BIGINT: Postgres widens `SUM(bigint)` to
//! numeric.

use super::stmt;
use crate::domain::{facts::OrderKind, funnel::STAGES};
use crate::store::{
    Directory, FunnelCounts, GroupBy, InvoiceBalance, Measures, OrderBalance, PipelineCounts,
    PromotionUse, SalesRow, SalesSlice, SalesSource, Scope, TargetRow, UnitCounts, WeeklyDemand,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use std::collections::HashMap;
use uuid::Uuid;

const R: &str = "\"report\"";
const SUMS: &str = "CAST(SUM(units) AS BIGINT) AS units, CAST(SUM(revenue) AS BIGINT) AS revenue, \
    CAST(SUM(discount) AS BIGINT) AS discount, CAST(SUM(cost) AS BIGINT) AS cost, CAST(SUM(margin) AS BIGINT) AS margin";

/// `WHERE` clauses and their values, built up condition by condition.
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Filter {
    fn eq(&mut self, column: &str, value: impl Into<Value>) -> &mut Self {
        self.clauses.push(format!("{column} = ?"));
        self.values.push(value.into());
        self
    }
    fn opt(&mut self, column: &str, value: Option<impl Into<Value>>) -> &mut Self {
        if let Some(v) = value {
            self.eq(column, v);
        }
        self
    }
    fn raw(&mut self, clause: &str, values: Vec<Value>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.values.extend(values);
        self
    }
    fn scope(&mut self, scope: Scope, staff_column: &str) -> &mut Self {
        self.opt("dealer_id", scope.dealer_id);
        self.opt(staff_column, scope.staff_id);
        self
    }
    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

fn i64_of(row: &QueryResult, column: &str) -> anyhow::Result<i64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
}

fn measures(row: &QueryResult) -> anyhow::Result<Measures> {
    Ok(Measures {
        units: i64_of(row, "units")?,
        revenue: i64_of(row, "revenue")?,
        discount: i64_of(row, "discount")?,
        cost: i64_of(row, "cost")?,
        margin: i64_of(row, "margin")?,
    })
}

pub async fn sales(
    conn: &impl ConnectionTrait,
    slice: &SalesSlice,
) -> anyhow::Result<Vec<SalesRow>> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    let (table, period) = match slice.source {
        SalesSource::ByProduct => ("sales_by_product", "period"),
        SalesSource::BySeller => ("sales_by_seller", "period"),
        SalesSource::Facts => ("sales", "day"),
    };
    if slice.source != SalesSource::Facts {
        f.eq("grain", slice.grain.grain());
    }
    f.raw(
        &format!("{period} BETWEEN ? AND ?"),
        vec![slice.from.into(), slice.to.into()],
    );
    f.scope(slice.scope, "staff_id");
    f.opt("region", slice.filter.region.clone());
    f.opt("branch_id", slice.filter.branch_id);
    f.opt("variant_id", slice.filter.variant_id);
    f.opt("model_id", slice.filter.model_id);
    let (key_select, key_group) = match slice.group_by {
        Some(g) => (
            format!(", {} AS gkey", g.column()),
            format!(", {}", g.column()),
        ),
        None => (String::new(), String::new()),
    };
    let sql = format!(
        "SELECT {period} AS period{key_select}, {SUMS} FROM {R}.{table}{} GROUP BY {period}{key_group}",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, f.values)).await?;
    rows.iter()
        .map(|row| {
            let key = match slice.group_by {
                None => String::new(),
                Some(GroupBy::Region) => row.try_get::<String>("", "gkey")?,
                Some(_) => row.try_get::<Uuid>("", "gkey")?.to_string(),
            };
            Ok(SalesRow {
                period: row.try_get("", "period")?,
                key,
                measures: measures(row)?,
            })
        })
        .collect()
}

pub async fn units(
    conn: &impl ConnectionTrait,
    scope: Scope,
    oem_side: bool,
    now: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> anyhow::Result<Vec<UnitCounts>> {
    let b = conn.get_database_backend();
    let ago = |days| Value::from(now - Duration::days(days));
    let on_hand = "received_at IS NOT NULL AND sold_at IS NULL";
    let mut values = vec![ago(30), ago(30), ago(60), ago(60), ago(90), ago(90)];
    let (group, moved) = if oem_side {
        ("variant_id", "shipped_at >= ?")
    } else {
        ("dealer_id, variant_id", "sold_at >= ?")
    };
    values.push(window_start.into());
    let mut f = Filter::default();
    if !oem_side {
        f.opt("dealer_id", scope.dealer_id);
        f.raw("dealer_id IS NOT NULL", vec![]);
    }
    values.extend(f.values.clone());
    let sql = format!(
        "SELECT {group}, \
         SUM(CASE WHEN allocated_at IS NOT NULL AND shipped_at IS NULL THEN 1 ELSE 0 END) AS allocated, \
         SUM(CASE WHEN shipped_at IS NOT NULL AND received_at IS NULL THEN 1 ELSE 0 END) AS in_transit, \
         SUM(CASE WHEN {on_hand} THEN 1 ELSE 0 END) AS on_hand, \
         SUM(CASE WHEN {on_hand} AND reserved_at IS NOT NULL THEN 1 ELSE 0 END) AS reserved, \
         SUM(CASE WHEN {on_hand} AND received_at > ? THEN 1 ELSE 0 END) AS a30, \
         SUM(CASE WHEN {on_hand} AND received_at <= ? AND received_at > ? THEN 1 ELSE 0 END) AS a60, \
         SUM(CASE WHEN {on_hand} AND received_at <= ? AND received_at > ? THEN 1 ELSE 0 END) AS a90, \
         SUM(CASE WHEN {on_hand} AND received_at <= ? THEN 1 ELSE 0 END) AS a90p, \
         SUM(CASE WHEN {moved} THEN 1 ELSE 0 END) AS moved \
         FROM {R}.units{} GROUP BY {group}",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, values)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(UnitCounts {
            dealer_id: if oem_side {
                None
            } else {
                Some(row.try_get("", "dealer_id")?)
            },
            variant_id: row.try_get("", "variant_id")?,
            allocated: i64_of(row, "allocated")?,
            in_transit: i64_of(row, "in_transit")?,
            on_hand: i64_of(row, "on_hand")?,
            reserved: i64_of(row, "reserved")?,
            aged_0_30: i64_of(row, "a30")?,
            aged_31_60: i64_of(row, "a60")?,
            aged_61_90: i64_of(row, "a90")?,
            aged_90_plus: i64_of(row, "a90p")?,
            moved_in_window: i64_of(row, "moved")?,
            ..UnitCounts::default()
        });
    }
    if !oem_side {
        // Sales (seeded history too) give the consumption speed and days in stock, from the
        // daily rollup: a window of the network's sales reads days × dealers × variants rows.
        let mut f = Filter::default();
        f.raw(
            "grain = 'd' AND period >= ?",
            vec![window_start.date_naive().into()],
        );
        f.opt("dealer_id", scope.dealer_id);
        let sql = format!(
            "SELECT dealer_id, variant_id, CAST(SUM(units) AS BIGINT) AS sold, \
             CAST(SUM(stock_days) AS BIGINT) AS days, CAST(SUM(stock_days_n) AS BIGINT) AS counted \
             FROM {R}.sales_by_product{} GROUP BY dealer_id, variant_id",
            f.sql()
        );
        for row in conn.query_all(stmt(b, &sql, f.values)).await? {
            let dealer_id: Uuid = row.try_get("", "dealer_id")?;
            let variant_id: Uuid = row.try_get("", "variant_id")?;
            let index = match out
                .iter()
                .position(|u| u.dealer_id == Some(dealer_id) && u.variant_id == variant_id)
            {
                Some(i) => i,
                None => {
                    out.push(UnitCounts {
                        dealer_id: Some(dealer_id),
                        variant_id,
                        ..UnitCounts::default()
                    });
                    out.len() - 1
                }
            };
            let unit = &mut out[index];
            unit.moved_in_window = i64_of(&row, "sold")?;
            unit.days_in_stock_sum = i64_of(&row, "days")?;
            unit.days_in_stock_count = i64_of(&row, "counted")?;
        }
    }
    Ok(out)
}

pub async fn funnel(
    conn: &impl ConnectionTrait,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<FunnelCounts> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    f.raw("created_on BETWEEN ? AND ?", vec![from.into(), to.into()]);
    f.scope(scope, "owner_id");
    let reached: String = (1..STAGES.len())
        .map(|r| format!("SUM(CASE WHEN furthest_rank >= {r} THEN 1 ELSE 0 END) AS r{r}, "))
        .collect();
    let sql = format!(
        "SELECT COUNT(*) AS created, {reached}SUM(CASE WHEN lost_on IS NOT NULL THEN 1 ELSE 0 END) AS lost FROM {R}.leads{}",
        f.sql()
    );
    let mut counts = FunnelCounts::default();
    if let Some(row) = conn.query_one(stmt(b, &sql, f.values)).await? {
        counts.created = i64_of(&row, "created")?;
        counts.reached[0] = counts.created;
        for r in 1..STAGES.len() {
            counts.reached[r] = i64_of(&row, &format!("r{r}"))?;
        }
        counts.lost = i64_of(&row, "lost")?;
    }
    let drives = |column: &str| {
        let mut f = Filter::default();
        f.raw(
            &format!("t.{column} BETWEEN ? AND ?"),
            vec![from.into(), to.into()],
        );
        if let Some(d) = scope.dealer_id {
            f.eq("t.dealer_id", d);
        }
        if let Some(s) = scope.staff_id {
            f.raw(
                &format!("t.customer_id IN (SELECT customer_id FROM {R}.leads WHERE owner_id = ?)"),
                vec![s.into()],
            );
        }
        f
    };
    let f = drives("scheduled_on");
    let sql = format!(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN t.completed_on IS NOT NULL THEN 1 ELSE 0 END) AS done FROM {R}.test_drives t{}",
        f.sql()
    );
    if let Some(row) = conn.query_one(stmt(b, &sql, f.values)).await? {
        counts.test_drives_scheduled = i64_of(&row, "n")?;
        counts.test_drives_completed = i64_of(&row, "done")?;
    }
    let f = drives("completed_on");
    let sql = format!(
        "SELECT COUNT(DISTINCT t.customer_id) AS customers, \
         COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM {R}.sales s WHERE s.customer_id = t.customer_id \
           AND s.dealer_id = t.dealer_id AND s.day >= t.completed_on) THEN t.customer_id END) AS bought \
         FROM {R}.test_drives t{}",
        f.sql()
    );
    if let Some(row) = conn.query_one(stmt(b, &sql, f.values)).await? {
        counts.test_drive_customers = i64_of(&row, "customers")?;
        counts.test_drive_customers_who_bought = i64_of(&row, "bought")?;
    }
    Ok(counts)
}

pub async fn pipeline(
    conn: &impl ConnectionTrait,
    scope: Scope,
    kind: OrderKind,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<PipelineCounts> {
    let b = conn.get_database_backend();
    let within = |c: &str| format!("SUM(CASE WHEN {c} BETWEEN ? AND ? THEN 1 ELSE 0 END) AS {c}");
    let mut values: Vec<Value> = Vec::new();
    for _ in 0..4 {
        values.extend([from.into(), to.into()]);
    }
    values.extend([to.into(), to.into(), to.into()]);
    let mut f = Filter::default();
    f.eq("kind", kind.as_str());
    f.scope(scope, "staff_id");
    values.extend(f.values.clone());
    let sql = format!(
        "SELECT {}, {}, {}, {}, SUM(CASE WHEN created_on <= ? AND (cancelled_on IS NULL OR cancelled_on > ?) \
         AND (delivered_on IS NULL OR delivered_on > ?) THEN 1 ELSE 0 END) AS open FROM {R}.orders{}",
        within("created_on"),
        within("approved_on"),
        within("cancelled_on"),
        within("delivered_on"),
        f.sql()
    );
    let Some(row) = conn.query_one(stmt(b, &sql, values)).await? else {
        return Ok(PipelineCounts::default());
    };
    Ok(PipelineCounts {
        created: i64_of(&row, "created_on")?,
        approved: i64_of(&row, "approved_on")?,
        cancelled: i64_of(&row, "cancelled_on")?,
        delivered: i64_of(&row, "delivered_on")?,
        open: i64_of(&row, "open")?,
    })
}

pub async fn invoice_balances(
    conn: &impl ConnectionTrait,
    dealer_id: Option<Uuid>,
) -> anyhow::Result<Vec<InvoiceBalance>> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    f.opt("i.dealer_id", dealer_id);
    let sql = format!(
        "SELECT i.invoice_id, i.dealer_id, i.number, i.amount, i.due_date, \
         CAST(COALESCE((SELECT SUM(p.amount) FROM {R}.dealer_payments p WHERE p.invoice_id = i.invoice_id), 0) AS BIGINT) AS paid \
         FROM {R}.dealer_invoices i{} ORDER BY i.due_date",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, f.values)).await?;
    rows.iter()
        .map(|r| {
            Ok(InvoiceBalance {
                invoice_id: r.try_get("", "invoice_id")?,
                dealer_id: r.try_get("", "dealer_id")?,
                number: r.try_get("", "number")?,
                amount: r.try_get("", "amount")?,
                paid: i64_of(r, "paid")?,
                due_date: r.try_get("", "due_date")?,
            })
        })
        .collect()
}

pub async fn order_balances(
    conn: &impl ConnectionTrait,
    scope: Scope,
) -> anyhow::Result<Vec<OrderBalance>> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    f.raw("o.kind = 'retail' AND o.cancelled_on IS NULL", vec![]);
    f.opt("o.dealer_id", scope.dealer_id);
    f.opt("o.staff_id", scope.staff_id);
    let sql = format!(
        "SELECT o.order_id, o.dealer_id, o.staff_id, o.customer_id, o.payable, \
         CAST(COALESCE((SELECT SUM(p.amount) FROM {R}.customer_payments p WHERE p.order_id = o.order_id), 0) AS BIGINT) AS paid \
         FROM {R}.orders o{}",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, f.values.clone())).await?;
    let mut orders: Vec<OrderBalance> = Vec::with_capacity(rows.len());
    let mut index = HashMap::new();
    for r in &rows {
        let order = OrderBalance {
            order_id: r.try_get("", "order_id")?,
            dealer_id: r.try_get("", "dealer_id")?,
            staff_id: r.try_get("", "staff_id")?,
            customer_id: r.try_get("", "customer_id")?,
            payable: r.try_get("", "payable")?,
            paid: i64_of(r, "paid")?,
            instalments: Vec::new(),
        };
        index.insert(order.order_id, orders.len());
        orders.push(order);
    }
    let sql = format!(
        "SELECT i.order_id, i.due_date, i.amount FROM {R}.instalments i JOIN {R}.orders o ON o.order_id = i.order_id{}",
        f.sql()
    );
    for r in conn.query_all(stmt(b, &sql, f.values)).await? {
        let id: Uuid = r.try_get("", "order_id")?;
        if let Some(&i) = index.get(&id) {
            orders[i]
                .instalments
                .push((r.try_get("", "due_date")?, r.try_get("", "amount")?));
        }
    }
    Ok(orders)
}

pub async fn targets(
    conn: &impl ConnectionTrait,
    dealer_id: Option<Uuid>,
    from_period: &str,
    to_period: &str,
) -> anyhow::Result<Vec<TargetRow>> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    f.raw(
        "period BETWEEN ? AND ?",
        vec![from_period.into(), to_period.into()],
    );
    f.opt("dealer_id", dealer_id);
    let sql = format!(
        "SELECT dealer_id, period, target_units, target_revenue FROM {R}.targets{} ORDER BY period, dealer_id",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, f.values)).await?;
    rows.iter()
        .map(|r| {
            Ok(TargetRow {
                dealer_id: r.try_get("", "dealer_id")?,
                period: r.try_get("", "period")?,
                units: i64::from(r.try_get::<i32>("", "target_units")?),
                revenue: r.try_get("", "target_revenue")?,
            })
        })
        .collect()
}

pub async fn promotion_uses(
    conn: &impl ConnectionTrait,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Vec<PromotionUse>> {
    let b = conn.get_database_backend();
    let mut f = Filter::default();
    f.raw("sp.day BETWEEN ? AND ?", vec![from.into(), to.into()]);
    f.opt("sp.dealer_id", scope.dealer_id);
    f.opt("sp.staff_id", scope.staff_id);
    let sql = format!(
        "SELECT sp.promotion_id, COALESCE(p.name, '') AS name, COALESCE(p.source, '') AS source, COUNT(*) AS sales, \
         CAST(SUM(sp.amount) AS BIGINT) AS discount FROM {R}.sale_promotions sp \
         LEFT JOIN {R}.promotions p ON p.promotion_id = sp.promotion_id{} \
         GROUP BY sp.promotion_id, p.name, p.source ORDER BY sales DESC",
        f.sql()
    );
    let rows = conn.query_all(stmt(b, &sql, f.values)).await?;
    rows.iter()
        .map(|r| {
            Ok(PromotionUse {
                promotion_id: r.try_get("", "promotion_id")?,
                name: r.try_get("", "name")?,
                source: r.try_get("", "source")?,
                sales: i64_of(r, "sales")?,
                discount: i64_of(r, "discount")?,
            })
        })
        .collect()
}

pub async fn weekly_demand(
    conn: &impl ConnectionTrait,
    per_dealer: bool,
) -> anyhow::Result<Vec<WeeklyDemand>> {
    let b = conn.get_database_backend();
    let group = if per_dealer {
        "variant_id, dealer_id"
    } else {
        "variant_id"
    };
    let sql = format!(
        "SELECT {group}, period, CAST(SUM(units) AS BIGINT) AS units FROM {R}.sales_by_product \
         WHERE grain = 'w' GROUP BY {group}, period ORDER BY {group}, period"
    );
    let rows = conn.query_all(stmt(b, &sql, vec![])).await?;
    rows.iter()
        .map(|r| {
            Ok(WeeklyDemand {
                variant_id: r.try_get("", "variant_id")?,
                dealer_id: if per_dealer {
                    Some(r.try_get("", "dealer_id")?)
                } else {
                    None
                },
                week: r.try_get("", "period")?,
                units: i64_of(r, "units")?,
            })
        })
        .collect()
}

pub async fn labels(
    conn: &impl ConnectionTrait,
    directory: Directory,
    ids: &[Uuid],
) -> anyhow::Result<HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let b = conn.get_database_backend();
    let (select, id_column) = match directory {
        Directory::Dealers => ("SELECT dealer_id AS id, name FROM \"report\".dealers", "dealer_id"),
        Directory::Branches => ("SELECT branch_id AS id, name FROM \"report\".branches", "branch_id"),
        Directory::Staff => ("SELECT user_id AS id, name FROM \"report\".staff", "user_id"),
        Directory::Variants => (
            "SELECT variant_id AS id, model_name || ' ' || variant_name AS name FROM \"report\".variants",
            "variant_id",
        ),
        Directory::Models => (
            "SELECT DISTINCT model_id AS id, model_name AS name FROM \"report\".variants",
            "model_id",
        ),
    };
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!("{select} WHERE {id_column} IN ({marks})");
    let values = ids.iter().map(|id| Value::from(*id)).collect();
    let mut out = HashMap::new();
    for r in conn.query_all(stmt(b, &sql, values)).await? {
        out.insert(r.try_get("", "id")?, r.try_get("", "name")?);
    }
    Ok(out)
}

pub async fn staff_dealers(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> anyhow::Result<HashMap<Uuid, Uuid>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let b = conn.get_database_backend();
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!("SELECT user_id, dealer_id FROM {R}.staff WHERE user_id IN ({marks})");
    let values = ids.iter().map(|id| Value::from(*id)).collect();
    let mut out = HashMap::new();
    for r in conn.query_all(stmt(b, &sql, values)).await? {
        out.insert(r.try_get("", "user_id")?, r.try_get("", "dealer_id")?);
    }
    Ok(out)
}
