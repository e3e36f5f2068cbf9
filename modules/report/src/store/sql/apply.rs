//! Applying facts to the SQL read models. Every statement is an upsert keyed by the fact's own
//! id, and rollups grow only when the sale itself was new, so a replayed fact changes nothing.

use super::{stmt, NIL};
use crate::domain::{
    facts::{Fact, Sale},
    funnel,
    period::Interval,
};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

const R: &str = "\"report\"";

pub async fn apply(conn: &impl ConnectionTrait, fact: &Fact) -> anyhow::Result<()> {
    let b = conn.get_database_backend();
    macro_rules! exec {
        ($sql:expr, $($v:expr),* $(,)?) => {
            conn.execute(stmt(b, &$sql, vec![$(Value::from($v)),*])).await?
        };
    }
    match fact {
        Fact::Dealer {
            dealer_id,
            code,
            name,
            region,
            status,
        } => {
            exec!(format!("INSERT INTO {R}.dealers (dealer_id, code, name, region, status) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (dealer_id) DO UPDATE SET code = excluded.code, name = excluded.name, region = excluded.region, status = excluded.status"),
                *dealer_id, code.clone(), name.clone(), region.clone(), status.clone());
        }
        Fact::Branch {
            branch_id,
            dealer_id,
            name,
        } => {
            exec!(
                format!(
                    "INSERT INTO {R}.branches (branch_id, dealer_id, name) VALUES (?, ?, ?) \
                ON CONFLICT (branch_id) DO UPDATE SET name = excluded.name"
                ),
                *branch_id,
                *dealer_id,
                name.clone()
            );
        }
        Fact::Staff {
            user_id,
            dealer_id,
            name,
        } => {
            exec!(
                format!(
                    "INSERT INTO {R}.staff (user_id, dealer_id, name) VALUES (?, ?, ?) \
                ON CONFLICT (user_id) DO UPDATE SET name = excluded.name"
                ),
                *user_id,
                *dealer_id,
                name.clone()
            );
        }
        Fact::Variant {
            variant_id,
            model_id,
            model_name,
            variant_name,
            wholesale_price,
        } => {
            exec!(format!("INSERT INTO {R}.variants (variant_id, model_id, model_name, variant_name, wholesale_price) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (variant_id) DO UPDATE SET model_id = excluded.model_id, model_name = excluded.model_name, \
                variant_name = excluded.variant_name, wholesale_price = excluded.wholesale_price"),
                *variant_id, *model_id, model_name.clone(), variant_name.clone(), *wholesale_price);
        }
        Fact::Promotion {
            promotion_id,
            name,
            source,
        } => {
            exec!(
                format!(
                    "INSERT INTO {R}.promotions (promotion_id, name, source) VALUES (?, ?, ?) \
                ON CONFLICT (promotion_id) DO UPDATE SET name = excluded.name"
                ),
                *promotion_id,
                name.clone(),
                source.clone()
            );
        }
        Fact::Target {
            dealer_id,
            period,
            units,
            revenue,
        } => {
            exec!(format!("INSERT INTO {R}.targets (dealer_id, period, target_units, target_revenue) VALUES (?, ?, ?, ?) \
                ON CONFLICT (dealer_id, period) DO UPDATE SET target_units = excluded.target_units, target_revenue = excluded.target_revenue"),
                *dealer_id, period.clone(), *units, *revenue);
        }
        Fact::Sale(sale) => apply_sale(conn, sale).await?,
        Fact::OrderOpened {
            order_id,
            kind,
            dealer_id,
            staff_id,
            customer_id,
            total,
            payable,
            on,
            instalments,
        } => {
            exec!(format!("INSERT INTO {R}.orders (order_id, kind, dealer_id, staff_id, customer_id, total, payable, paid, created_on) \
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (order_id) DO UPDATE SET kind = excluded.kind, dealer_id = excluded.dealer_id, \
                staff_id = excluded.staff_id, customer_id = excluded.customer_id, total = excluded.total, payable = excluded.payable, \
                created_on = excluded.created_on"),
                *order_id, kind.as_str(), *dealer_id, *staff_id, *customer_id, *total, *payable, *on);
            for (number, due, amount) in instalments {
                exec!(format!("INSERT INTO {R}.instalments (order_id, number, due_date, amount) VALUES (?, ?, ?, ?) \
                    ON CONFLICT (order_id, number) DO NOTHING"),
                    *order_id, *number, *due, *amount);
            }
        }
        Fact::OrderApproved { order_id, on } => {
            exec!(
                format!("UPDATE {R}.orders SET approved_on = ? WHERE order_id = ?"),
                *on,
                *order_id
            );
        }
        Fact::OrderCancelled { order_id, on } => {
            exec!(
                format!("UPDATE {R}.orders SET cancelled_on = ? WHERE order_id = ?"),
                *on,
                *order_id
            );
        }
        Fact::CustomerPayment {
            payment_id,
            order_id,
            dealer_id,
            amount,
            at,
        } => {
            exec!(format!("INSERT INTO {R}.customer_payments (payment_id, order_id, dealer_id, amount, received_at) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (payment_id) DO NOTHING"),
                *payment_id, *order_id, *dealer_id, *amount, *at);
        }
        Fact::UnitAllocated {
            vin,
            dealer_id,
            variant_id,
            cost,
            at,
        } => {
            exec!(format!("INSERT INTO {R}.units (vin, dealer_id, variant_id, cost, allocated_at) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (vin) DO UPDATE SET dealer_id = excluded.dealer_id, cost = excluded.cost, allocated_at = excluded.allocated_at"),
                vin.clone(), *dealer_id, *variant_id, *cost, *at);
        }
        Fact::UnitShipped {
            vin,
            dealer_id,
            variant_id,
            cost,
            at,
        } => {
            exec!(format!("INSERT INTO {R}.units (vin, dealer_id, variant_id, cost, shipped_at) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (vin) DO UPDATE SET dealer_id = excluded.dealer_id, cost = excluded.cost, shipped_at = excluded.shipped_at"),
                vin.clone(), *dealer_id, *variant_id, *cost, *at);
        }
        Fact::UnitReceived { vin, dealer_id, at } => {
            exec!(
                format!("UPDATE {R}.units SET received_at = ?, dealer_id = ? WHERE vin = ?"),
                *at,
                *dealer_id,
                vin.clone()
            );
        }
        Fact::UnitReserved {
            vin,
            dealer_id,
            variant_id,
            at,
        } => {
            exec!(format!("INSERT INTO {R}.units (vin, dealer_id, variant_id, cost, reserved_at) VALUES (?, ?, ?, 0, ?) \
                ON CONFLICT (vin) DO UPDATE SET reserved_at = excluded.reserved_at"),
                vin.clone(), *dealer_id, *variant_id, *at);
        }
        Fact::UnitReleased { vin } => {
            exec!(
                format!(
                    "UPDATE {R}.units SET reserved_at = NULL WHERE vin = ? AND sold_at IS NULL"
                ),
                vin.clone()
            );
        }
        Fact::LeadOpened {
            lead_id,
            dealer_id,
            owner_id,
            customer_id,
            source,
            stage,
            on,
        } => {
            let rank = funnel::rank(stage).unwrap_or(0);
            exec!(format!("INSERT INTO {R}.leads (lead_id, dealer_id, owner_id, customer_id, source, created_on, stage, furthest_rank) \
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id) DO NOTHING"),
                *lead_id, *dealer_id, *owner_id, *customer_id, source.clone(), *on, stage.clone(), rank);
        }
        Fact::LeadMoved { lead_id, to, on } => {
            let rank = funnel::rank(to);
            let won = (to == "won").then_some(*on);
            let lost = (to == "lost").then_some(*on);
            exec!(
                format!(
                    "UPDATE {R}.leads SET stage = ?, \
                furthest_rank = CASE WHEN ? > furthest_rank THEN ? ELSE furthest_rank END, \
                won_on = COALESCE(won_on, ?), lost_on = COALESCE(lost_on, ?) WHERE lead_id = ?"
                ),
                to.clone(),
                rank.unwrap_or(-1),
                rank.unwrap_or(-1),
                won,
                lost,
                *lead_id
            );
        }
        Fact::TestDrive {
            test_drive_id,
            dealer_id,
            customer_id,
            variant_id,
            scheduled_on,
            completed_on,
        } => {
            exec!(format!("INSERT INTO {R}.test_drives (test_drive_id, dealer_id, customer_id, variant_id, scheduled_on, completed_on) \
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (test_drive_id) DO UPDATE SET \
                completed_on = COALESCE(excluded.completed_on, {R}.test_drives.completed_on)"),
                *test_drive_id, *dealer_id, *customer_id, *variant_id, *scheduled_on, *completed_on);
        }
        Fact::DealerInvoice {
            invoice_id,
            dealer_id,
            number,
            amount,
            due_date,
            issued_on,
        } => {
            exec!(format!("INSERT INTO {R}.dealer_invoices (invoice_id, dealer_id, number, amount, due_date, issued_on) \
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (invoice_id) DO NOTHING"),
                *invoice_id, *dealer_id, number.clone(), *amount, *due_date, *issued_on);
        }
        Fact::DealerPayment {
            payment_id,
            invoice_id,
            dealer_id,
            amount,
            at,
        } => {
            exec!(format!("INSERT INTO {R}.dealer_payments (payment_id, invoice_id, dealer_id, amount, paid_at) VALUES (?, ?, ?, ?, ?) \
                ON CONFLICT (payment_id) DO NOTHING"),
                *payment_id, *invoice_id, *dealer_id, *amount, *at);
        }
    }
    Ok(())
}

async fn lookup_uuid(
    conn: &impl ConnectionTrait,
    sql: String,
    id: Uuid,
    column: &str,
) -> anyhow::Result<Option<Uuid>> {
    let b = conn.get_database_backend();
    let row = conn.query_one(stmt(b, &sql, vec![id.into()])).await?;
    Ok(row.map(|r| r.try_get::<Uuid>("", column)).transpose()?)
}

/// One sale: the fact, then (only if it is new) the rollups, promotions and the unit.
async fn apply_sale(conn: &impl ConnectionTrait, sale: &Sale) -> anyhow::Result<()> {
    let b = conn.get_database_backend();
    let region = if sale.region.is_empty() {
        let row = conn
            .query_one(stmt(
                b,
                &format!("SELECT region FROM {R}.dealers WHERE dealer_id = ?"),
                vec![sale.dealer_id.into()],
            ))
            .await?;
        row.map(|r| r.try_get::<String>("", "region"))
            .transpose()?
            .unwrap_or_default()
    } else {
        sale.region.clone()
    };
    let model_id = match sale.model_id {
        Some(m) => m,
        None => lookup_uuid(
            conn,
            format!("SELECT model_id FROM {R}.variants WHERE variant_id = ?"),
            sale.variant_id,
            "model_id",
        )
        .await?
        .unwrap_or(NIL),
    };
    let branch_id = sale.branch_id.unwrap_or(NIL);
    let margin = sale.margin();
    let inserted = conn
        .execute(stmt(
            b,
            &format!(
                "INSERT INTO {R}.sales (order_id, day, dealer_id, region, branch_id, staff_id, customer_id, variant_id, model_id, \
                 units, revenue, discount, cost, margin, list_price, tax, days_in_stock, seeded) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING"
            ),
            vec![
                sale.order_id.into(),
                sale.day.into(),
                sale.dealer_id.into(),
                region.clone().into(),
                branch_id.into(),
                sale.staff_id.into(),
                sale.customer_id.into(),
                sale.variant_id.into(),
                model_id.into(),
                sale.revenue.into(),
                sale.discount.into(),
                sale.cost.into(),
                margin.into(),
                sale.list_price.into(),
                sale.tax.into(),
                sale.days_in_stock.unwrap_or(-1).into(),
                sale.seeded.into(),
            ],
        ))
        .await?
        .rows_affected();
    if inserted == 0 {
        return Ok(()); // seen before: the rollups already count it
    }
    let measures = |mut v: Vec<Value>| {
        v.extend([
            sale.revenue.into(),
            sale.discount.into(),
            sale.cost.into(),
            margin.into(),
        ]);
        v
    };
    let (stock_days, stock_days_n) = match sale.days_in_stock {
        Some(d) if d >= 0 => (i64::from(d), 1i64),
        _ => (0, 0),
    };
    const ADD: &str = "units = {t}.units + 1, revenue = {t}.revenue + excluded.revenue, \
        discount = {t}.discount + excluded.discount, cost = {t}.cost + excluded.cost, margin = {t}.margin + excluded.margin";
    for interval in Interval::ALL {
        let period = interval.bucket(sale.day);
        let add = ADD.replace("{t}", &format!("{R}.sales_by_product"));
        let mut values = measures(vec![
            interval.grain().into(),
            period.into(),
            sale.dealer_id.into(),
            region.clone().into(),
            sale.variant_id.into(),
            model_id.into(),
        ]);
        values.extend([stock_days.into(), stock_days_n.into()]);
        conn.execute(stmt(
            b,
            &format!(
                "INSERT INTO {R}.sales_by_product (grain, period, dealer_id, region, variant_id, model_id, units, revenue, discount, cost, margin, stock_days, stock_days_n) \
                 VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT (grain, period, dealer_id, variant_id) DO UPDATE SET {add}, \
                 stock_days = {R}.sales_by_product.stock_days + excluded.stock_days, stock_days_n = {R}.sales_by_product.stock_days_n + excluded.stock_days_n"
            ),
            values,
        ))
        .await?;
        let add = ADD.replace("{t}", &format!("{R}.sales_by_seller"));
        conn.execute(stmt(
            b,
            &format!(
                "INSERT INTO {R}.sales_by_seller (grain, period, dealer_id, region, branch_id, staff_id, units, revenue, discount, cost, margin) \
                 VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (grain, period, dealer_id, branch_id, staff_id) DO UPDATE SET {add}"
            ),
            measures(vec![
                interval.grain().into(),
                period.into(),
                sale.dealer_id.into(),
                region.clone().into(),
                branch_id.into(),
                sale.staff_id.into(),
            ]),
        ))
        .await?;
    }
    for p in &sale.promotions {
        conn.execute(stmt(
            b,
            &format!(
                "INSERT INTO {R}.sale_promotions (order_id, promotion_id, dealer_id, staff_id, day, amount) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (order_id, promotion_id) DO NOTHING"
            ),
            vec![
                sale.order_id.into(),
                p.promotion_id.into(),
                sale.dealer_id.into(),
                sale.staff_id.into(),
                sale.day.into(),
                p.amount.into(),
            ],
        ))
        .await?;
        conn.execute(stmt(
            b,
            &format!(
                "INSERT INTO {R}.promotions (promotion_id, name, source) VALUES (?, ?, ?) ON CONFLICT (promotion_id) DO NOTHING"
            ),
            vec![p.promotion_id.into(), p.name.clone().into(), p.source.clone().into()],
        ))
        .await?;
    }
    let delivered_at = sale
        .day
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default();
    if !sale.vin.is_empty() {
        conn.execute(stmt(
            b,
            &format!("UPDATE {R}.units SET sold_at = ? WHERE vin = ?"),
            vec![delivered_at.into(), sale.vin.clone().into()],
        ))
        .await?;
    }
    conn.execute(stmt(
        b,
        &format!("UPDATE {R}.orders SET delivered_on = ? WHERE order_id = ?"),
        vec![sale.day.into(), sale.order_id.into()],
    ))
    .await?;
    Ok(())
}
