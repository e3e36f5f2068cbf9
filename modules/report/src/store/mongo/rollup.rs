//! The sales rollups (by product and by seller, at grains d, w and m), recomputed from the sales
//! of every bucket a batch touched: one aggregation per rollup and grain (`$match` on the
//! touched periods and keys, `$group` by bucket), then an upsert with `$set` of each touched
//! bucket's sums. Never an increment, so a batch applied again after a crash counts each sale
//! once.
//!
//! Groups are keyed by a `$concat` of the bucket's fields (all strings), which every MongoDB
//! and the test wire server evaluate alike.

use super::{
    fields::{aggregate, id, int},
    Collections,
};
use crate::domain::{facts::Sale, period::Interval};
use mongodb::{
    bson::{doc, Bson, Document},
    Collection,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// One rollup: its collection and the fields (besides the period) its buckets are keyed by.
struct Rollup<'a> {
    collection: &'a Collection<Document>,
    keys: &'static [&'static str],
}

const PRODUCT_KEYS: &[&str] = &["dealer_id", "variant_id"];
const SELLER_KEYS: &[&str] = &["dealer_id", "branch_id", "staff_id"];

/// A bucket a batch touched: what its document gets when it is first made.
#[derive(Debug, Clone)]
struct Bucket {
    grain: &'static str,
    period: String,
    keys: Vec<String>,
    on_insert: Document,
}

/// The buckets of one batch, per rollup, by document id.
#[derive(Default)]
pub struct Touched {
    product: BTreeMap<String, Bucket>,
    seller: BTreeMap<String, Bucket>,
}

/// The field of a sale holding its bucket at `grain`.
fn bucket_field(interval: Interval) -> &'static str {
    match interval {
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

fn bucket_id(grain: &str, period: &str, keys: &[String]) -> String {
    format!("{grain}|{period}|{}", keys.join("|"))
}

impl Touched {
    pub fn add(&mut self, sale: &Sale, region: &str, model_id: Uuid, branch_id: Uuid) {
        for interval in Interval::ALL {
            let grain = interval.grain();
            let period = interval.bucket(sale.day).to_string();
            let keys = vec![sale.dealer_id.to_string(), sale.variant_id.to_string()];
            let on_insert = doc! {
                "grain": grain, "period": &period, "dealer_id": id(sale.dealer_id),
                "region": region, "variant_id": id(sale.variant_id), "model_id": id(model_id),
            };
            self.product
                .entry(bucket_id(grain, &period, &keys))
                .or_insert(Bucket {
                    grain,
                    period: period.clone(),
                    keys,
                    on_insert,
                });
            let keys = vec![
                sale.dealer_id.to_string(),
                branch_id.to_string(),
                sale.staff_id.to_string(),
            ];
            let on_insert = doc! {
                "grain": grain, "period": &period, "dealer_id": id(sale.dealer_id),
                "region": region, "branch_id": id(branch_id), "staff_id": id(sale.staff_id),
            };
            self.seller
                .entry(bucket_id(grain, &period, &keys))
                .or_insert(Bucket {
                    grain,
                    period,
                    keys,
                    on_insert,
                });
        }
    }
}

/// The sums of a sales group, as a rollup stores them.
pub const MEASURES: [&str; 5] = ["units", "revenue", "discount", "cost", "margin"];

/// `$group` accumulators summing every measure.
pub fn sums() -> Document {
    let mut d = Document::new();
    for m in MEASURES {
        d.insert(m, doc! { "$sum": format!("${m}") });
    }
    d
}

/// `{$concat: ["$a", "|", "$b", ...]}`.
pub fn concat_key(fields: &[&str]) -> Bson {
    let mut parts = Vec::with_capacity(fields.len() * 2);
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            parts.push(Bson::String("|".into()));
        }
        parts.push(Bson::String(format!("${f}")));
    }
    Bson::Document(doc! { "$concat": parts })
}

pub async fn recompute(c: &Collections, touched: &Touched) -> anyhow::Result<()> {
    let rollups = [
        (
            Rollup {
                collection: &c.by_product,
                keys: PRODUCT_KEYS,
            },
            &touched.product,
        ),
        (
            Rollup {
                collection: &c.by_seller,
                keys: SELLER_KEYS,
            },
            &touched.seller,
        ),
    ];
    for (rollup, buckets) in rollups {
        for interval in Interval::ALL {
            let of_grain: BTreeMap<&String, &Bucket> = buckets
                .iter()
                .filter(|(_, b)| b.grain == interval.grain())
                .collect();
            if !of_grain.is_empty() {
                recompute_grain(c, &rollup, interval, &of_grain).await?;
            }
        }
    }
    Ok(())
}

async fn recompute_grain(
    c: &Collections,
    rollup: &Rollup<'_>,
    interval: Interval,
    buckets: &BTreeMap<&String, &Bucket>,
) -> anyhow::Result<()> {
    let field = bucket_field(interval);
    // Every sale of the touched periods and keys (a superset of the touched buckets: the
    // others are left alone).
    let periods: BTreeSet<&str> = buckets.values().map(|b| b.period.as_str()).collect();
    let mut filter = doc! { field: { "$in": periods.into_iter().collect::<Vec<_>>() } };
    for (i, key) in rollup.keys.iter().enumerate() {
        let values: BTreeSet<&str> = buckets.values().map(|b| b.keys[i].as_str()).collect();
        filter.insert(*key, doc! { "$in": values.into_iter().collect::<Vec<_>>() });
    }
    let mut fields = vec![field];
    fields.extend(rollup.keys.iter().copied());
    let mut group = doc! { "_id": concat_key(&fields) };
    group.extend(sums());
    let groups = aggregate(
        &c.sales,
        vec![doc! { "$match": filter }, doc! { "$group": group }],
    )
    .await?;
    for g in groups {
        let Ok(key) = g.get_str("_id") else { continue };
        let bucket_id = format!("{}|{key}", interval.grain());
        let Some(bucket) = buckets.get(&bucket_id) else {
            continue;
        };
        let mut set = Document::new();
        for m in MEASURES {
            set.insert(m, int(&g, m));
        }
        rollup
            .collection
            .update_one(
                doc! { "_id": &bucket_id },
                doc! { "$set": set, "$setOnInsert": bucket.on_insert.clone() },
            )
            .upsert(true)
            .await?;
    }
    Ok(())
}
