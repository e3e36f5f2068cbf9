//! Balances, targets, promotions, weekly demand and the directories, mirroring `sql::read`.

use super::{aggregate, date, day, find, id, ids, int, opt_uuid, rollup, text, uuid, Collections};
use crate::store::{
    Directory, InvoiceBalance, OrderBalance, PromotionUse, Scope, TargetRow, WeeklyDemand,
};
use chrono::NaiveDate;
use mongodb::bson::{doc, Bson, Document};
use std::collections::HashMap;
use uuid::Uuid;

/// Sums `amount` of `collection` per `key` over the given ids.
async fn paid_by(
    collection: &mongodb::Collection<Document>,
    key: &str,
    of: Vec<Bson>,
) -> anyhow::Result<HashMap<String, i64>> {
    if of.is_empty() {
        return Ok(HashMap::new());
    }
    let pipeline = vec![
        doc! { "$match": { key: { "$in": of } } },
        doc! { "$group": { "_id": format!("${key}"), "paid": { "$sum": "$amount" } } },
    ];
    Ok(aggregate(collection, pipeline)
        .await?
        .iter()
        .map(|r| (text(r, "_id"), int(r, "paid")))
        .collect())
}

pub async fn invoice_balances(
    c: &Collections,
    dealer_id: Option<Uuid>,
) -> anyhow::Result<Vec<InvoiceBalance>> {
    let mut filter = Document::new();
    if let Some(d) = dealer_id {
        filter.insert("dealer_id", id(d));
    }
    let sort = doc! { "due_date": 1, "_id": 1 };
    let invoices = find(&c.dealer_invoices, filter, None, Some(sort)).await?;
    let of = invoices
        .iter()
        .filter_map(|i| i.get("_id").cloned())
        .collect();
    let paid = paid_by(&c.dealer_payments, "invoice_id", of).await?;
    invoices
        .iter()
        .map(|i| {
            Ok(InvoiceBalance {
                invoice_id: uuid(i, "_id")?,
                dealer_id: uuid(i, "dealer_id")?,
                number: text(i, "number"),
                amount: int(i, "amount"),
                paid: paid.get(&text(i, "_id")).copied().unwrap_or(0),
                due_date: date(i, "due_date")?,
            })
        })
        .collect()
}

pub async fn order_balances(c: &Collections, scope: Scope) -> anyhow::Result<Vec<OrderBalance>> {
    let mut filter = doc! { "kind": "retail", "cancelled_on": Bson::Null };
    if let Some(d) = scope.dealer_id {
        filter.insert("dealer_id", id(d));
    }
    if let Some(s) = scope.staff_id {
        filter.insert("staff_id", id(s));
    }
    let orders = find(&c.orders, filter, None, Some(doc! { "_id": 1 })).await?;
    let of = orders
        .iter()
        .filter_map(|o| o.get("_id").cloned())
        .collect();
    let paid = paid_by(&c.customer_payments, "order_id", of).await?;
    orders
        .iter()
        .map(|o| {
            let mut instalments = Vec::new();
            if let Ok(list) = o.get_array("instalments") {
                for i in list.iter().filter_map(Bson::as_document) {
                    instalments.push((int(i, "number"), date(i, "due_date")?, int(i, "amount")));
                }
            }
            instalments.sort_by_key(|(number, _, _)| *number);
            Ok(OrderBalance {
                order_id: uuid(o, "_id")?,
                dealer_id: uuid(o, "dealer_id")?,
                staff_id: opt_uuid(o, "staff_id")?,
                customer_id: opt_uuid(o, "customer_id")?,
                payable: int(o, "payable"),
                paid: paid.get(&text(o, "_id")).copied().unwrap_or(0),
                instalments: instalments
                    .into_iter()
                    .map(|(_, due, a)| (due, a))
                    .collect(),
            })
        })
        .collect()
}

pub async fn targets(
    c: &Collections,
    dealer_id: Option<Uuid>,
    from_period: &str,
    to_period: &str,
) -> anyhow::Result<Vec<TargetRow>> {
    let mut filter = doc! { "period": { "$gte": from_period, "$lte": to_period } };
    if let Some(d) = dealer_id {
        filter.insert("dealer_id", id(d));
    }
    let sort = doc! { "period": 1, "dealer_id": 1 };
    find(&c.targets, filter, None, Some(sort))
        .await?
        .iter()
        .map(|t| {
            Ok(TargetRow {
                dealer_id: uuid(t, "dealer_id")?,
                period: text(t, "period"),
                units: int(t, "units"),
                revenue: int(t, "revenue"),
            })
        })
        .collect()
}

pub async fn promotion_uses(
    c: &Collections,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Vec<PromotionUse>> {
    let mut filter = doc! { "day": { "$gte": day(from), "$lte": day(to) } };
    if let Some(d) = scope.dealer_id {
        filter.insert("dealer_id", id(d));
    }
    if let Some(s) = scope.staff_id {
        filter.insert("staff_id", id(s));
    }
    let group = doc! {
        "_id": "$promotion_id", "sales": { "$sum": 1 }, "discount": { "$sum": "$amount" },
    };
    let used = aggregate(
        &c.sale_promotions,
        vec![doc! { "$match": filter }, doc! { "$group": group }],
    )
    .await?;
    let of: Vec<Bson> = used.iter().filter_map(|u| u.get("_id").cloned()).collect();
    let named: HashMap<String, Document> =
        find(&c.promotions, doc! { "_id": { "$in": of } }, None, None)
            .await?
            .into_iter()
            .map(|p| (text(&p, "_id"), p))
            .collect();
    let mut out = used
        .iter()
        .map(|u| {
            let promotion = named.get(&text(u, "_id"));
            Ok(PromotionUse {
                promotion_id: uuid(u, "_id")?,
                name: promotion.map(|p| text(p, "name")).unwrap_or_default(),
                source: promotion.map(|p| text(p, "source")).unwrap_or_default(),
                sales: int(u, "sales"),
                discount: int(u, "discount"),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        b.sales
            .cmp(&a.sales)
            .then(a.promotion_id.cmp(&b.promotion_id))
    });
    Ok(out)
}

pub async fn weekly_demand(c: &Collections, per_dealer: bool) -> anyhow::Result<Vec<WeeklyDemand>> {
    let keys: &[&str] = if per_dealer {
        &["variant_id", "dealer_id", "period"]
    } else {
        &["variant_id", "period"]
    };
    let group = doc! {
        "_id": rollup::concat_key(keys),
        "variant_id": { "$first": "$variant_id" }, "dealer_id": { "$first": "$dealer_id" },
        "period": { "$first": "$period" }, "units": { "$sum": "$units" },
    };
    let pipeline = vec![
        doc! { "$match": { "grain": "w" } },
        doc! { "$group": group },
    ];
    let mut out = aggregate(&c.by_product, pipeline)
        .await?
        .iter()
        .map(|r| {
            Ok(WeeklyDemand {
                variant_id: uuid(r, "variant_id")?,
                dealer_id: if per_dealer {
                    Some(uuid(r, "dealer_id")?)
                } else {
                    None
                },
                week: date(r, "period")?,
                units: int(r, "units"),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    out.sort_by_key(|w| (w.variant_id, w.dealer_id, w.week));
    Ok(out)
}

pub async fn labels(
    c: &Collections,
    directory: Directory,
    of: &[Uuid],
) -> anyhow::Result<HashMap<Uuid, String>> {
    if of.is_empty() {
        return Ok(HashMap::new());
    }
    let (collection, key) = match directory {
        Directory::Dealers => (&c.dealers, "_id"),
        Directory::Branches => (&c.branches, "_id"),
        Directory::Staff => (&c.staff, "_id"),
        Directory::Variants => (&c.variants, "_id"),
        Directory::Models => (&c.variants, "model_id"),
    };
    let filter = doc! { key: { "$in": ids(of) } };
    let mut out = HashMap::new();
    for d in find(collection, filter, None, None).await? {
        let name = match directory {
            Directory::Variants => {
                format!("{} {}", text(&d, "model_name"), text(&d, "variant_name"))
            }
            Directory::Models => text(&d, "model_name"),
            _ => text(&d, "name"),
        };
        out.insert(uuid(&d, key)?, name);
    }
    Ok(out)
}

pub async fn staff_dealers(c: &Collections, of: &[Uuid]) -> anyhow::Result<HashMap<Uuid, Uuid>> {
    if of.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = doc! { "_id": { "$in": ids(of) } };
    find(&c.staff, filter, None, None)
        .await?
        .iter()
        .map(|s| Ok((uuid(s, "_id")?, uuid(s, "dealer_id")?)))
        .collect()
}
