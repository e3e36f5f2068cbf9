//! Sales, inventory, funnel and pipeline reads, mirroring `sql::read`.

use super::{
    aggregate, date, day, find, id, int, opt_date, opt_int, rollup, text, uuid, Collections,
};
use crate::domain::{facts::OrderKind, funnel::STAGES};
use crate::store::{
    FunnelCounts, Measures, PipelineCounts, SalesRow, SalesSlice, SalesSource, Scope, UnitCounts,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use mongodb::bson::{doc, Bson, Document};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Adds the caller's scope to a filter (`staff` names the salesperson's field).
fn scope_filter(filter: &mut Document, scope: Scope, staff: &str) {
    if let Some(d) = scope.dealer_id {
        filter.insert("dealer_id", id(d));
    }
    if let Some(s) = scope.staff_id {
        filter.insert(staff, id(s));
    }
}

/// A field that holds a value (`$ne: null` alone also matches a missing field on the test wire
/// server; with `$exists` it means the same on MongoDB and there).
fn is_set() -> Document {
    doc! { "$exists": true, "$ne": Bson::Null }
}

fn between(from: NaiveDate, to: NaiveDate) -> Document {
    doc! { "$gte": day(from), "$lte": day(to) }
}

pub async fn sales(c: &Collections, slice: &SalesSlice) -> anyhow::Result<Vec<SalesRow>> {
    let (collection, period) = match slice.source {
        SalesSource::ByProduct => (&c.by_product, "period"),
        SalesSource::BySeller => (&c.by_seller, "period"),
        SalesSource::Facts => (&c.sales, "day"),
    };
    let mut filter = Document::new();
    if slice.source != SalesSource::Facts {
        filter.insert("grain", slice.grain.grain());
    }
    filter.insert(period, between(slice.from, slice.to));
    scope_filter(&mut filter, slice.scope, "staff_id");
    let f = &slice.filter;
    if let Some(region) = &f.region {
        filter.insert("region", region);
    }
    for (field, value) in [
        ("branch_id", f.branch_id),
        ("variant_id", f.variant_id),
        ("model_id", f.model_id),
    ] {
        if let Some(v) = value {
            filter.insert(field, id(v));
        }
    }
    let mut group = match slice.group_by {
        Some(g) => doc! {
            "_id": rollup::concat_key(&[period, g.column()]),
            "key": { "$first": format!("${}", g.column()) },
        },
        None => doc! { "_id": format!("${period}") },
    };
    group.insert("period", doc! { "$first": format!("${period}") });
    group.extend(rollup::sums());
    let rows = aggregate(
        collection,
        vec![doc! { "$match": filter }, doc! { "$group": group }],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SalesRow {
                period: date(r, "period")?,
                key: text(r, "key"),
                measures: Measures {
                    units: int(r, "units"),
                    revenue: int(r, "revenue"),
                    discount: int(r, "discount"),
                    cost: int(r, "cost"),
                    margin: int(r, "margin"),
                },
            })
        })
        .collect()
}

/// Dealer-side (per dealer and variant) or OEM-side (per variant) unit counts. The units that
/// can count (not yet sold, shipped or received, or moved in the window) are matched by the
/// server; the conditional counting is done here, because the test wire server does not
/// evaluate conditions on missing fields as MongoDB does.
pub async fn units(
    c: &Collections,
    scope: Scope,
    oem_side: bool,
    now: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> anyhow::Result<Vec<UnitCounts>> {
    let window = window_start.timestamp_millis();
    let moved_field = if oem_side { "shipped_ms" } else { "sold_ms" };
    let mut filter = doc! { "$or": [
        { "sold_ms": Bson::Null },
        { "shipped_ms": Bson::Null },
        { "received_ms": Bson::Null },
        { moved_field: { "$gte": window } },
    ] };
    if !oem_side {
        match scope.dealer_id {
            Some(d) => filter.insert("dealer_id", id(d)),
            None => filter.insert("dealer_id", is_set()),
        };
    }
    let projection = doc! {
        "dealer_id": 1, "variant_id": 1, "allocated_ms": 1, "shipped_ms": 1, "received_ms": 1,
        "reserved_ms": 1, "sold_ms": 1,
    };
    let ago = |days| (now - Duration::days(days)).timestamp_millis();
    let (d30, d60, d90) = (ago(30), ago(60), ago(90));
    let mut counts: BTreeMap<(Option<Uuid>, Uuid), UnitCounts> = BTreeMap::new();
    for u in find(&c.units, filter, Some(projection), None).await? {
        let dealer_id = if oem_side {
            None
        } else {
            Some(uuid(&u, "dealer_id")?)
        };
        let variant_id = uuid(&u, "variant_id")?;
        let t = |field| opt_int(&u, field);
        let entry = counts
            .entry((dealer_id, variant_id))
            .or_insert_with(|| UnitCounts {
                dealer_id,
                variant_id,
                ..UnitCounts::default()
            });
        let count = |b: bool| i64::from(b);
        entry.allocated += count(t("allocated_ms").is_some() && t("shipped_ms").is_none());
        entry.in_transit += count(t("shipped_ms").is_some() && t("received_ms").is_none());
        if let (Some(received), None) = (t("received_ms"), t("sold_ms")) {
            entry.on_hand += 1;
            entry.reserved += count(t("reserved_ms").is_some());
            match received {
                r if r > d30 => entry.aged_0_30 += 1,
                r if r > d60 => entry.aged_31_60 += 1,
                r if r > d90 => entry.aged_61_90 += 1,
                _ => entry.aged_90_plus += 1,
            }
        }
        entry.moved_in_window += count(t(moved_field).is_some_and(|m| m >= window));
    }
    let mut out: Vec<UnitCounts> = counts.into_values().collect();
    if !oem_side {
        // Sales (seeded history too) give the consumption speed and days in stock.
        let mut filter = doc! { "day": { "$gte": day(window_start.date_naive()) } };
        scope_filter(
            &mut filter,
            Scope {
                staff_id: None,
                ..scope
            },
            "staff_id",
        );
        let group = doc! {
            "_id": rollup::concat_key(&["dealer_id", "variant_id"]),
            "dealer_id": { "$first": "$dealer_id" }, "variant_id": { "$first": "$variant_id" },
            "sold": { "$sum": 1 }, "days": { "$sum": "$stock_days" },
            "counted": { "$sum": "$stock_days_known" },
        };
        let pipeline = vec![doc! { "$match": filter }, doc! { "$group": group }];
        for row in aggregate(&c.sales, pipeline).await? {
            let dealer_id = Some(uuid(&row, "dealer_id")?);
            let variant_id = uuid(&row, "variant_id")?;
            let index = match out
                .iter()
                .position(|u| u.dealer_id == dealer_id && u.variant_id == variant_id)
            {
                Some(i) => i,
                None => {
                    out.push(UnitCounts {
                        dealer_id,
                        variant_id,
                        ..UnitCounts::default()
                    });
                    out.len() - 1
                }
            };
            let unit = &mut out[index];
            unit.moved_in_window = int(&row, "sold");
            unit.days_in_stock_sum = int(&row, "days");
            unit.days_in_stock_count = int(&row, "counted");
        }
    }
    Ok(out)
}

pub async fn funnel(
    c: &Collections,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<FunnelCounts> {
    let mut leads = doc! { "created_on": between(from, to) };
    scope_filter(&mut leads, scope, "owner_id");
    let mut counts = FunnelCounts::default();
    // How many leads got no further than each rank, then "reached" as the sum from the rank up.
    let group = doc! { "_id": "$furthest_rank", "n": { "$sum": 1 } };
    let pipeline = vec![doc! { "$match": leads.clone() }, doc! { "$group": group }];
    for row in aggregate(&c.leads, pipeline).await? {
        let (rank, n) = (int(&row, "_id"), int(&row, "n"));
        counts.created += n;
        for r in 1..STAGES.len() {
            if rank >= r as i64 {
                counts.reached[r] += n;
            }
        }
    }
    counts.reached[0] = counts.created;
    leads.insert("lost_on", is_set());
    counts.lost = i64::try_from(c.leads.count_documents(leads).await?)?;

    let mut drives = Document::new();
    if let Some(d) = scope.dealer_id {
        drives.insert("dealer_id", id(d));
    }
    if let Some(s) = scope.staff_id {
        let customers = c
            .leads
            .distinct("customer_id", doc! { "owner_id": id(s) })
            .await?;
        drives.insert("customer_id", doc! { "$in": customers });
    }
    let mut scheduled = drives.clone();
    scheduled.insert("scheduled_on", between(from, to));
    counts.test_drives_scheduled =
        i64::try_from(c.test_drives.count_documents(scheduled.clone()).await?)?;
    scheduled.insert("completed_on", is_set());
    counts.test_drives_completed = i64::try_from(c.test_drives.count_documents(scheduled).await?)?;

    // Customers with a test drive completed in the range, and those who bought at that dealer
    // on or after it.
    drives.insert("completed_on", between(from, to));
    let projection = doc! { "customer_id": 1, "dealer_id": 1, "completed_on": 1 };
    let completed = find(&c.test_drives, drives, Some(projection), None).await?;
    let mut customers: HashSet<String> = HashSet::new();
    let mut first_drive: HashMap<(String, String), NaiveDate> = HashMap::new();
    for d in &completed {
        let (customer, dealer) = (text(d, "customer_id"), text(d, "dealer_id"));
        if let Some(done) = opt_date(d, "completed_on")? {
            customers.insert(customer.clone());
            let first = first_drive.entry((customer, dealer)).or_insert(done);
            *first = (*first).min(done);
        }
    }
    counts.test_drive_customers = customers.len() as i64;
    if !customers.is_empty() {
        let list: Vec<&String> = customers.iter().collect();
        let filter = doc! { "customer_id": { "$in": list } };
        let projection = doc! { "customer_id": 1, "dealer_id": 1, "day": 1 };
        let mut bought: HashSet<String> = HashSet::new();
        for s in find(&c.sales, filter, Some(projection), None).await? {
            let key = (text(&s, "customer_id"), text(&s, "dealer_id"));
            if first_drive
                .get(&key)
                .is_some_and(|done| date(&s, "day").is_ok_and(|d| d >= *done))
            {
                bought.insert(key.0);
            }
        }
        counts.test_drive_customers_who_bought = bought.len() as i64;
    }
    Ok(counts)
}

pub async fn pipeline(
    c: &Collections,
    scope: Scope,
    kind: OrderKind,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<PipelineCounts> {
    let mut base = doc! { "kind": kind.as_str() };
    scope_filter(&mut base, scope, "staff_id");
    let count = |field: Option<&str>, extra: Document| {
        let mut filter = base.clone();
        if let Some(f) = field {
            filter.insert(f, between(from, to));
        }
        filter.extend(extra);
        async move { anyhow::Ok(i64::try_from(c.orders.count_documents(filter).await?)?) }
    };
    let open = doc! {
        "created_on": { "$lte": day(to) },
        "$and": [
            { "$or": [{ "cancelled_on": Bson::Null }, { "cancelled_on": { "$gt": day(to) } }] },
            { "$or": [{ "delivered_on": Bson::Null }, { "delivered_on": { "$gt": day(to) } }] },
        ],
    };
    Ok(PipelineCounts {
        created: count(Some("created_on"), doc! {}).await?,
        approved: count(Some("approved_on"), doc! {}).await?,
        cancelled: count(Some("cancelled_on"), doc! {}).await?,
        delivered: count(Some("delivered_on"), doc! {}).await?,
        open: count(None, open).await?,
    })
}
