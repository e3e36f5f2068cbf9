//! Applying facts to the MongoDB read models. Each write is an upsert keyed by the fact's own
//! id (`$set` for what a later fact may correct, `$setOnInsert` for what the first one fixes)
//! or an update that sets a value, so a fact applied twice has one effect. A sale's side
//! effects (its unit sold, its order delivered) are set again on a replay: a crash may have come
//! between the sale and them.

use super::{
    fields::{day, id, ms, opt_id},
    rollup::Touched,
    Collections,
};
use crate::domain::{
    facts::{Fact, Sale},
    funnel,
    period::Interval,
};
use crate::store::sql::NIL;
use mongodb::{
    bson::{doc, Bson, Document},
    Collection,
};

/// Writes `$set` and `$setOnInsert` (either may be empty) to the document `_id`, creating it.
async fn upsert(
    collection: &Collection<Document>,
    key: impl Into<Bson>,
    set: Document,
    on_insert: Document,
) -> anyhow::Result<()> {
    let mut update = Document::new();
    if !set.is_empty() {
        update.insert("$set", set);
    }
    if !on_insert.is_empty() {
        update.insert("$setOnInsert", on_insert);
    }
    collection
        .update_one(doc! { "_id": key.into() }, update)
        .upsert(true)
        .await?;
    Ok(())
}

/// Updates the document matching `filter` if there is one.
async fn update(
    collection: &Collection<Document>,
    filter: Document,
    set: Document,
) -> anyhow::Result<()> {
    collection.update_one(filter, doc! { "$set": set }).await?;
    Ok(())
}

pub async fn apply(c: &Collections, fact: &Fact, touched: &mut Touched) -> anyhow::Result<()> {
    match fact {
        Fact::Dealer {
            dealer_id,
            code,
            name,
            region,
            status,
        } => {
            let set = doc! { "code": code, "name": name, "region": region, "status": status };
            upsert(&c.dealers, id(*dealer_id), set, doc! {}).await?;
        }
        Fact::Branch {
            branch_id,
            dealer_id,
            name,
        } => {
            let on_insert = doc! { "dealer_id": id(*dealer_id) };
            upsert(
                &c.branches,
                id(*branch_id),
                doc! { "name": name },
                on_insert,
            )
            .await?;
        }
        Fact::Staff {
            user_id,
            dealer_id,
            name,
        } => {
            let on_insert = doc! { "dealer_id": id(*dealer_id) };
            upsert(&c.staff, id(*user_id), doc! { "name": name }, on_insert).await?;
        }
        Fact::Variant {
            variant_id,
            model_id,
            model_name,
            variant_name,
            wholesale_price,
        } => {
            let set = doc! {
                "model_id": id(*model_id), "model_name": model_name,
                "variant_name": variant_name, "wholesale_price": wholesale_price,
            };
            upsert(&c.variants, id(*variant_id), set, doc! {}).await?;
        }
        Fact::Promotion {
            promotion_id,
            name,
            source,
        } => {
            let on_insert = doc! { "source": source };
            upsert(
                &c.promotions,
                id(*promotion_id),
                doc! { "name": name },
                on_insert,
            )
            .await?;
        }
        Fact::Target {
            dealer_id,
            period,
            units,
            revenue,
        } => {
            let set = doc! { "units": i64::from(*units), "revenue": revenue };
            let on_insert = doc! { "dealer_id": id(*dealer_id), "period": period };
            upsert(&c.targets, format!("{dealer_id}|{period}"), set, on_insert).await?;
        }
        Fact::Sale(sale) => apply_sale(c, sale, touched).await?,
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
            let set = doc! {
                "kind": kind.as_str(), "dealer_id": id(*dealer_id), "staff_id": opt_id(*staff_id),
                "customer_id": opt_id(*customer_id), "total": total, "payable": payable,
                "created_on": day(*on),
            };
            let instalments: Vec<Bson> = instalments
                .iter()
                .map(|(number, due, amount)| {
                    Bson::Document(
                        doc! { "number": number, "due_date": day(*due), "amount": amount },
                    )
                })
                .collect();
            let on_insert = doc! { "instalments": instalments };
            upsert(&c.orders, id(*order_id), set, on_insert).await?;
        }
        Fact::OrderApproved { order_id, on } => {
            let set = doc! { "approved_on": day(*on) };
            update(&c.orders, doc! { "_id": id(*order_id) }, set).await?;
        }
        Fact::OrderCancelled { order_id, on } => {
            let set = doc! { "cancelled_on": day(*on) };
            update(&c.orders, doc! { "_id": id(*order_id) }, set).await?;
        }
        Fact::CustomerPayment {
            payment_id,
            order_id,
            dealer_id,
            amount,
            at,
        } => {
            let on_insert = doc! {
                "order_id": id(*order_id), "dealer_id": id(*dealer_id), "amount": amount,
                "received_ms": ms(*at),
            };
            upsert(&c.customer_payments, id(*payment_id), doc! {}, on_insert).await?;
        }
        Fact::UnitAllocated {
            vin,
            dealer_id,
            variant_id,
            cost,
            at,
        } => {
            let set = doc! { "dealer_id": id(*dealer_id), "cost": cost, "allocated_ms": ms(*at) };
            let on_insert = doc! { "variant_id": id(*variant_id) };
            upsert(&c.units, vin.as_str(), set, on_insert).await?;
        }
        Fact::UnitShipped {
            vin,
            dealer_id,
            variant_id,
            cost,
            at,
        } => {
            let set = doc! { "dealer_id": id(*dealer_id), "cost": cost, "shipped_ms": ms(*at) };
            let on_insert = doc! { "variant_id": id(*variant_id) };
            upsert(&c.units, vin.as_str(), set, on_insert).await?;
        }
        Fact::UnitReceived { vin, dealer_id, at } => {
            let set = doc! { "received_ms": ms(*at), "dealer_id": id(*dealer_id) };
            update(&c.units, doc! { "_id": vin.as_str() }, set).await?;
        }
        Fact::UnitReserved {
            vin,
            dealer_id,
            variant_id,
            at,
        } => {
            let on_insert = doc! {
                "dealer_id": id(*dealer_id), "variant_id": id(*variant_id), "cost": 0_i64,
            };
            upsert(
                &c.units,
                vin.as_str(),
                doc! { "reserved_ms": ms(*at) },
                on_insert,
            )
            .await?;
        }
        Fact::UnitReleased { vin } => {
            let filter = doc! { "_id": vin.as_str(), "sold_ms": Bson::Null };
            update(&c.units, filter, doc! { "reserved_ms": Bson::Null }).await?;
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
            let on_insert = doc! {
                "dealer_id": id(*dealer_id), "owner_id": id(*owner_id),
                "customer_id": id(*customer_id), "source": source, "created_on": day(*on),
                "stage": stage, "furthest_rank": funnel::rank(stage).unwrap_or(0),
            };
            upsert(&c.leads, id(*lead_id), doc! {}, on_insert).await?;
        }
        Fact::LeadMoved { lead_id, to, on } => {
            let rank = funnel::rank(to).unwrap_or(-1);
            c.leads
                .update_one(
                    doc! { "_id": id(*lead_id) },
                    doc! { "$set": { "stage": to }, "$max": { "furthest_rank": rank } },
                )
                .await?;
            // Won or lost on the first day it happened.
            for (stage, field) in [("won", "won_on"), ("lost", "lost_on")] {
                if to == stage {
                    let filter = doc! { "_id": id(*lead_id), field: Bson::Null };
                    update(&c.leads, filter, doc! { field: day(*on) }).await?;
                }
            }
        }
        Fact::TestDrive {
            test_drive_id,
            dealer_id,
            customer_id,
            variant_id,
            scheduled_on,
            completed_on,
        } => {
            let set = match completed_on {
                Some(done) => doc! { "completed_on": day(*done) },
                None => doc! {},
            };
            let on_insert = doc! {
                "dealer_id": id(*dealer_id), "customer_id": id(*customer_id),
                "variant_id": id(*variant_id), "scheduled_on": day(*scheduled_on),
            };
            upsert(&c.test_drives, id(*test_drive_id), set, on_insert).await?;
        }
        Fact::DealerInvoice {
            invoice_id,
            dealer_id,
            number,
            amount,
            due_date,
            issued_on,
        } => {
            let on_insert = doc! {
                "dealer_id": id(*dealer_id), "number": number, "amount": amount,
                "due_date": day(*due_date), "issued_on": day(*issued_on),
            };
            upsert(&c.dealer_invoices, id(*invoice_id), doc! {}, on_insert).await?;
        }
        Fact::DealerPayment {
            payment_id,
            invoice_id,
            dealer_id,
            amount,
            at,
        } => {
            let on_insert = doc! {
                "invoice_id": id(*invoice_id), "dealer_id": id(*dealer_id), "amount": amount,
                "paid_ms": ms(*at),
            };
            upsert(&c.dealer_payments, id(*payment_id), doc! {}, on_insert).await?;
        }
    }
    Ok(())
}

/// A string field of the document `_id` in `collection`, if both exist.
async fn lookup(
    collection: &Collection<Document>,
    key: Bson,
    field: &str,
) -> anyhow::Result<Option<String>> {
    let found = collection.find_one(doc! { "_id": key }).await?;
    Ok(found.and_then(|d| d.get_str(field).ok().map(str::to_owned)))
}

/// One sale: the fact (once), its promotions, its unit and order, and the buckets it touches.
async fn apply_sale(c: &Collections, sale: &Sale, touched: &mut Touched) -> anyhow::Result<()> {
    let region = if sale.region.is_empty() {
        lookup(&c.dealers, id(sale.dealer_id), "region")
            .await?
            .unwrap_or_default()
    } else {
        sale.region.clone()
    };
    let model_id = match sale.model_id {
        Some(m) => m,
        None => lookup(&c.variants, id(sale.variant_id), "model_id")
            .await?
            .and_then(|m| m.parse().ok())
            .unwrap_or(NIL),
    };
    let branch_id = sale.branch_id.unwrap_or(NIL);
    let known = sale.days_in_stock.filter(|d| *d >= 0);
    let fact = doc! {
        "day": day(sale.day),
        "week": day(Interval::Week.bucket(sale.day)),
        "month": day(Interval::Month.bucket(sale.day)),
        "dealer_id": id(sale.dealer_id), "region": &region, "branch_id": id(branch_id),
        "staff_id": id(sale.staff_id), "customer_id": id(sale.customer_id),
        "variant_id": id(sale.variant_id), "model_id": id(model_id),
        "units": 1_i64, "revenue": sale.revenue, "discount": sale.discount, "cost": sale.cost,
        "margin": sale.margin(), "list_price": sale.list_price, "tax": sale.tax,
        "days_in_stock": sale.days_in_stock.map_or(-1, i64::from),
        // Precomputed so the inventory read needs no conditional expression.
        "stock_days": known.map_or(0, i64::from),
        "stock_days_known": i64::from(known.is_some()),
        "seeded": sale.seeded,
    };
    upsert(&c.sales, id(sale.order_id), doc! {}, fact).await?;
    for p in &sale.promotions {
        let line = doc! {
            "order_id": id(sale.order_id), "promotion_id": id(p.promotion_id),
            "dealer_id": id(sale.dealer_id), "staff_id": id(sale.staff_id),
            "day": day(sale.day), "amount": p.amount,
        };
        let key = format!("{}|{}", sale.order_id, p.promotion_id);
        upsert(&c.sale_promotions, key, doc! {}, line).await?;
        let named = doc! { "name": &p.name, "source": &p.source };
        upsert(&c.promotions, id(p.promotion_id), doc! {}, named).await?;
    }
    if !sale.vin.is_empty() {
        let delivered_at = sale
            .day
            .and_hms_opt(12, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or_default();
        let set = doc! { "sold_ms": ms(delivered_at) };
        update(&c.units, doc! { "_id": sale.vin.as_str() }, set).await?;
    }
    let set = doc! { "delivered_on": day(sale.day) };
    update(&c.orders, doc! { "_id": id(sale.order_id) }, set).await?;
    touched.add(sale, &region, model_id, branch_id);
    Ok(())
}
