//! Development seed: about two and a half years of weekly sales history per demo dealer and
//! variant, with trend, a yearly season and noise, written straight into the read models and
//! marked `seeded`, so dashboards and forecasts show something real on a fresh `cargo run`.
//! Deterministic (a fixed-seed generator, ids derived from week, dealer and variant), so seeding
//! twice writes nothing new.

use crate::domain::facts::{Fact, Sale};
use crate::domain::period::Interval;
use crate::store::ReportStore;
use chrono::{Datelike, Days, NaiveDate};
use contracts::seed as demo;
use uuid::Uuid;

/// Weeks of history before the current week.
pub const WEEKS: u64 = 150;

/// Demo dealers: id, region, salespeople (manager and staff), base weekly demand scale.
fn dealers() -> [(Uuid, &'static str, [Uuid; 2], f64); 2] {
    [
        (
            demo::DEALER_A,
            "South",
            [demo::DEMO_USER_IDS[2], demo::DEMO_USER_IDS[3]],
            1.0,
        ),
        (
            demo::DEALER_B,
            "North",
            [demo::DEMO_USER_IDS[4], demo::DEMO_USER_IDS[5]],
            0.7,
        ),
    ]
}

/// A small fixed-seed generator (SplitMix64): reproducible noise without a dependency.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Expected weekly units: a level per variant, 25 % growth a year, and a yearly peak in the
/// weeks before the lunar new year (late January).
fn expected(level: f64, weeks_from_start: f64, week_of_year: f64) -> f64 {
    let trend = 1.0 + 0.25 * weeks_from_start / 52.0;
    let season = 1.0 + 0.4 * (2.0 * std::f64::consts::PI * (week_of_year - 4.0) / 52.0).cos();
    (level * trend * season).max(0.0)
}

/// The seeded sales, oldest first.
pub fn history(today: NaiveDate) -> Vec<Sale> {
    let this_week = Interval::Week.bucket(today);
    let start = this_week
        .checked_sub_days(Days::new(7 * WEEKS))
        .unwrap_or(this_week);
    let mut sales = Vec::new();
    for (d, (dealer_id, region, sellers, scale)) in dealers().into_iter().enumerate() {
        for (v, variant) in demo::DEMO_VARIANTS.iter().enumerate() {
            let level = scale * (1.0 + (v % 4) as f64 * 0.6);
            let mut noise = Noise(0x5EED ^ ((d as u64) << 32) ^ v as u64);
            for w in 0..WEEKS {
                let week = start.checked_add_days(Days::new(7 * w)).unwrap_or(start);
                let mean = expected(level, w as f64, f64::from(week.iso_week().week()));
                let units = (mean + (noise.next() - 0.5) * 2.0 * mean.sqrt())
                    .round()
                    .max(0.0) as u64;
                for n in 0..units {
                    let day = week.checked_add_days(Days::new(n % 6)).unwrap_or(week);
                    let discount_bp = (noise.next() * 600.0) as i64; // up to 6 %
                    let list = variant.msrp.0;
                    let discount = list * discount_bp / 10_000;
                    let tax = (list - discount) / 10;
                    sales.push(Sale {
                        order_id: seeded_id(week, d, v, n),
                        day,
                        dealer_id,
                        region: region.into(),
                        branch_id: Some(if d == 0 {
                            demo::DEALER_A_MAIN_BRANCH
                        } else {
                            demo::DEALER_B_MAIN_BRANCH
                        }),
                        staff_id: sellers[(n % 2) as usize],
                        customer_id: Uuid::nil(),
                        variant_id: variant.id,
                        model_id: Some(variant.model_id),
                        vin: String::new(),
                        revenue: list - discount + tax,
                        list_price: list,
                        discount,
                        tax,
                        cost: variant.wholesale_price.0,
                        days_in_stock: Some(10 + (noise.next() * 60.0) as i32),
                        promotions: vec![],
                        seeded: true,
                    });
                }
            }
        }
    }
    sales
}

/// `5eed` + days since 1970 of the week + dealer + variant + unit number.
fn seeded_id(week: NaiveDate, dealer: usize, variant: usize, n: u64) -> Uuid {
    let days = u128::try_from(week.num_days_from_ce()).unwrap_or(0);
    Uuid::from_u128(
        (0x5eed_u128 << 112)
            | (days << 48)
            | ((dealer as u128) << 40)
            | ((variant as u128) << 32)
            | u128::from(n as u32),
    )
}

pub async fn run(db: &kernel::Db, store: &dyn ReportStore, today: NaiveDate) -> anyhow::Result<()> {
    let mut facts: Vec<Fact> = demo::published_variants()
        .into_iter()
        .map(|v| Fact::Variant {
            variant_id: v.variant_id,
            model_id: v.model_id,
            model_name: v.model_name,
            variant_name: v.variant_name,
            wholesale_price: v.wholesale_price.0,
        })
        .collect();
    for ((_, name, _, dealer, _), user_id) in demo::DEMO_USERS.into_iter().zip(demo::DEMO_USER_IDS)
    {
        if let Some(dealer_id) = dealer {
            facts.push(Fact::Staff {
                user_id,
                dealer_id,
                name: name.into(),
            });
        }
    }
    facts.extend(history(today).into_iter().map(Fact::Sale));
    for chunk in facts.chunks(2_000) {
        if store.shares_database() {
            let txn = db.begin().await?;
            store.apply(Some(&txn), chunk).await?;
            txn.commit().await?;
        } else {
            // Another store (MongoDB) is never awaited inside a database transaction.
            store.apply(None, chunk).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_is_deterministic_and_long_enough_to_forecast() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let a = history(today);
        let b = history(today);
        assert_eq!(a, b);
        let weeks: std::collections::BTreeSet<_> =
            a.iter().map(|s| Interval::Week.bucket(s.day)).collect();
        assert!(weeks.len() >= 104, "{} weeks", weeks.len());
        let ids: std::collections::HashSet<_> = a.iter().map(|s| s.order_id).collect();
        assert_eq!(ids.len(), a.len(), "seeded ids are unique");
        assert!(a.iter().all(|s| s.day < Interval::Week.bucket(today)));
    }
}
