//! The behaviour every [`ReportStore`] must have: the facts of [`fixture`] applied (in two
//! batches, as the projector would), every query answering the exact figures, and the same facts
//! applied again (a batch replayed after a crash, then everything once more) changing nothing.
//! Run by the integration tests against the SQL store (SQLite and Postgres) and, when
//! `EVDMS_TEST_MONGO_URL` is set, against MongoDB. Expects an empty store.

pub mod fixture;

use super::{
    Directory, FunnelCounts, GroupBy, InvoiceBalance, Measures, OrderBalance, PipelineCounts,
    PromotionUse, ReportStore, SalesFilter, SalesRow, SalesSlice, SalesSource, Scope, TargetRow,
    UnitCounts, WeeklyDemand,
};
use crate::domain::{facts::OrderKind, period::Interval};
use anyhow::{ensure, Context};
use chrono::NaiveDate;
use fixture::*;
use std::collections::HashMap;
use std::fmt::Debug;
use uuid::Uuid;

/// Runs the suite on an empty store.
pub async fn run(store: &dyn ReportStore) -> anyhow::Result<()> {
    let facts = facts();
    let (first, second) = facts.split_at(facts.len() / 2);
    store.apply(None, first).await?;
    store.apply(None, second).await?;
    check(store)
        .await
        .context("after applying the facts once")?;
    // The projector removes facts only after the store took them: a crash in between applies
    // the last batch again, and a redelivery may bring everything once more.
    store.apply(None, second).await?;
    check(store).await.context("after the last batch again")?;
    store.apply(None, &facts).await?;
    check(store).await.context("after every fact again")?;
    Ok(())
}

fn same<T: PartialEq + Debug>(what: &str, actual: T, expected: T) -> anyhow::Result<()> {
    ensure!(
        actual == expected,
        "{what}:\n  got      {actual:?}\n  expected {expected:?}"
    );
    Ok(())
}

const fn m(units: i64, revenue: i64, discount: i64, cost: i64, margin: i64) -> Measures {
    Measures {
        units,
        revenue,
        discount,
        cost,
        margin,
    }
}

// The sales of the fixture, as measures (margin = revenue - tax - cost).
const SALE1: Measures = m(1, 1_000, 100, 600, 300);
const SALE2: Measures = m(1, 1_200, 0, 800, 300);
const SALE3: Measures = m(1, 900, 50, 600, 200);
const SALE4: Measures = m(1, 2_000, 0, 1_500, 300);
const SALE5: Measures = m(1, 2_100, 100, 1_500, 400);
const SALE6: Measures = m(1, 1_000, 0, 600, 300);

fn sum(parts: &[Measures]) -> Measures {
    let mut total = Measures::default();
    for p in parts {
        total.add(p);
    }
    total
}

fn row(period: NaiveDate, key: impl ToString, measures: Measures) -> SalesRow {
    SalesRow {
        period,
        key: key.to_string(),
        measures,
    }
}

struct Query {
    source: SalesSource,
    grain: Interval,
    from: NaiveDate,
    to: NaiveDate,
    group_by: Option<GroupBy>,
    scope: Scope,
    filter: SalesFilter,
}

fn q(
    source: SalesSource,
    grain: Interval,
    from: NaiveDate,
    to: NaiveDate,
    group_by: Option<GroupBy>,
) -> Query {
    Query {
        source,
        grain,
        from,
        to,
        group_by,
        scope: Scope::default(),
        filter: SalesFilter::default(),
    }
}

impl Query {
    fn scope(mut self, dealer_id: Uuid, staff_id: Option<Uuid>) -> Self {
        self.scope = Scope {
            dealer_id: Some(dealer_id),
            staff_id,
        };
        self
    }
    fn filter(mut self, filter: SalesFilter) -> Self {
        self.filter = filter;
        self
    }
}

async fn sales(
    store: &dyn ReportStore,
    what: &str,
    query: Query,
    mut expected: Vec<SalesRow>,
) -> anyhow::Result<()> {
    let slice = SalesSlice {
        source: query.source,
        grain: query.grain,
        from: query.from,
        to: query.to,
        group_by: query.group_by,
        scope: query.scope,
        filter: query.filter,
    };
    let mut rows = store
        .sales(&slice)
        .await
        .with_context(|| format!("sales {what}"))?;
    let order = |a: &SalesRow, b: &SalesRow| (a.period, &a.key).cmp(&(b.period, &b.key));
    rows.sort_by(order);
    expected.sort_by(order);
    same(&format!("sales {what}"), rows, expected)
}

async fn check_sales(store: &dyn ReportStore) -> anyhow::Result<()> {
    use GroupBy::*;
    use Interval::{Day, Month, Week};
    use SalesSource::{ByProduct, BySeller, Facts};
    let (feb, mar) = (day(2, 1), day(3, 1));
    let (a, b, nil) = (DEALER_A, DEALER_B, Uuid::nil());
    sales(
        store,
        "by dealer, monthly",
        q(ByProduct, Month, feb, day(3, 31), Some(Dealer)),
        vec![
            row(feb, b, SALE4),
            row(mar, a, sum(&[SALE1, SALE2, SALE3])),
            row(mar, b, sum(&[SALE5, SALE6])),
        ],
    )
    .await?;
    sales(
        store,
        "by region, weekly",
        q(ByProduct, Week, day(2, 23), day(3, 15), Some(Region)),
        vec![
            row(day(2, 23), "South", SALE4),
            row(day(3, 2), "North", sum(&[SALE1, SALE2])),
            row(day(3, 9), "North", SALE3),
            row(day(3, 9), "South", sum(&[SALE5, SALE6])),
        ],
    )
    .await?;
    sales(
        store,
        "by variant, daily, dealer A",
        q(ByProduct, Day, mar, day(3, 31), Some(Variant)).scope(a, None),
        vec![
            row(day(3, 2), V1, SALE1),
            row(day(3, 4), V2, SALE2),
            row(day(3, 10), V1, SALE3),
        ],
    )
    .await?;
    sales(
        store,
        "by model, monthly",
        q(ByProduct, Month, feb, day(3, 31), Some(Model)),
        vec![
            row(feb, M2, SALE4),
            row(mar, M1, sum(&[SALE1, SALE2, SALE3, SALE6])),
            row(mar, M2, SALE5),
        ],
    )
    .await?;
    let variant_1 = SalesFilter {
        variant_id: Some(V1),
        ..SalesFilter::default()
    };
    sales(
        store,
        "ungrouped, variant 1",
        q(ByProduct, Month, feb, day(3, 31), None).filter(variant_1.clone()),
        vec![row(mar, "", sum(&[SALE1, SALE3, SALE6]))],
    )
    .await?;
    let model_2 = SalesFilter {
        model_id: Some(M2),
        ..SalesFilter::default()
    };
    sales(
        store,
        "by dealer, model 2",
        q(ByProduct, Month, feb, day(3, 31), Some(Dealer)).filter(model_2),
        vec![row(feb, b, SALE4), row(mar, b, SALE5)],
    )
    .await?;
    let north = SalesFilter {
        region: Some("North".into()),
        ..SalesFilter::default()
    };
    sales(
        store,
        "by variant, North",
        q(ByProduct, Month, feb, day(3, 31), Some(Variant)).filter(north.clone()),
        vec![row(mar, V1, sum(&[SALE1, SALE3])), row(mar, V2, SALE2)],
    )
    .await?;
    sales(
        store,
        "ungrouped, days at the range's ends",
        q(ByProduct, Day, day(3, 4), day(3, 10), None),
        vec![row(day(3, 4), "", SALE2), row(day(3, 10), "", SALE3)],
    )
    .await?;
    sales(
        store,
        "by branch, dealer A",
        q(BySeller, Month, feb, day(3, 31), Some(Branch)).scope(a, None),
        vec![
            row(mar, BRANCH_A1, sum(&[SALE1, SALE3])),
            row(mar, nil, SALE2),
        ],
    )
    .await?;
    sales(
        store,
        "by salesperson, weekly, North",
        q(BySeller, Week, day(3, 2), day(3, 15), Some(Salesperson)).filter(north),
        vec![
            row(day(3, 2), S1, SALE1),
            row(day(3, 2), S2, SALE2),
            row(day(3, 9), S1, SALE3),
        ],
    )
    .await?;
    sales(
        store,
        "own sales of salesperson 1",
        q(BySeller, Day, mar, day(3, 31), None).scope(a, Some(S1)),
        vec![row(day(3, 2), "", SALE1), row(day(3, 10), "", SALE3)],
    )
    .await?;
    let branch = SalesFilter {
        branch_id: Some(BRANCH_A1),
        ..SalesFilter::default()
    };
    sales(
        store,
        "by dealer, branch A1",
        q(BySeller, Month, feb, day(3, 31), Some(Dealer)).filter(branch),
        vec![row(mar, a, sum(&[SALE1, SALE3]))],
    )
    .await?;
    sales(
        store,
        "by region, weekly, sellers",
        q(BySeller, Week, day(2, 23), day(3, 15), Some(Region)),
        vec![
            row(day(2, 23), "South", SALE4),
            row(day(3, 2), "North", sum(&[SALE1, SALE2])),
            row(day(3, 9), "North", SALE3),
            row(day(3, 9), "South", sum(&[SALE5, SALE6])),
        ],
    )
    .await?;
    sales(
        store,
        "facts by branch, variant 1",
        q(Facts, Day, feb, day(3, 31), Some(Branch)).filter(variant_1),
        vec![
            row(day(3, 2), BRANCH_A1, SALE1),
            row(day(3, 10), BRANCH_A1, SALE3),
            row(day(3, 12), nil, SALE6),
        ],
    )
    .await?;
    sales(
        store,
        "facts by model, dealer B",
        q(Facts, Day, feb, day(3, 31), Some(Model)).scope(b, None),
        vec![
            row(day(2, 25), M2, SALE4),
            row(day(3, 11), M2, SALE5),
            row(day(3, 12), M1, SALE6),
        ],
    )
    .await?;
    sales(
        store,
        "facts by salesperson, dealer B, March",
        q(Facts, Day, mar, day(3, 31), Some(Salesperson)).scope(b, Some(S3)),
        vec![row(day(3, 11), S3, SALE5), row(day(3, 12), S3, SALE6)],
    )
    .await?;
    sales(
        store,
        "nothing in January",
        q(ByProduct, Month, day(1, 1), day(1, 31), Some(Dealer)),
        vec![],
    )
    .await?;
    Ok(())
}

#[derive(Default)]
struct Ages {
    on_hand: i64,
    reserved: i64,
    aged: [i64; 4],
}

fn units(
    dealer_id: Option<Uuid>,
    variant_id: Uuid,
    allocated: i64,
    in_transit: i64,
    ages: Ages,
    moved: i64,
    days: (i64, i64),
) -> UnitCounts {
    UnitCounts {
        dealer_id,
        variant_id,
        allocated,
        in_transit,
        on_hand: ages.on_hand,
        reserved: ages.reserved,
        aged_0_30: ages.aged[0],
        aged_31_60: ages.aged[1],
        aged_61_90: ages.aged[2],
        aged_90_plus: ages.aged[3],
        moved_in_window: moved,
        days_in_stock_sum: days.0,
        days_in_stock_count: days.1,
    }
}

async fn check_units(store: &dyn ReportStore) -> anyhow::Result<()> {
    let (a, b) = (Some(DEALER_A), Some(DEALER_B));
    let v1_stock = || Ages {
        on_hand: 4,
        reserved: 1,
        aged: [0, 2, 1, 1],
    };
    let b3 = || Ages {
        on_hand: 1,
        reserved: 0,
        aged: [1, 0, 0, 0],
    };
    let dealer_side = vec![
        units(a, V1, 0, 0, v1_stock(), 2, (10, 1)),
        units(a, V2, 1, 1, Ages::default(), 1, (20, 1)),
        units(b, V1, 0, 0, Ages::default(), 1, (0, 0)),
        units(b, V3, 0, 0, b3(), 1, (5, 1)),
    ];
    let sorted = |mut u: Vec<UnitCounts>| {
        u.sort_by_key(|u| (u.dealer_id, u.variant_id));
        u
    };
    let got = store
        .units(Scope::default(), false, now(), window_start())
        .await?;
    same("dealer-side units", sorted(got), dealer_side.clone())?;
    let scope = Scope {
        dealer_id: a,
        staff_id: None,
    };
    let got = store.units(scope, false, now(), window_start()).await?;
    same("dealer A's units", sorted(got), dealer_side[..2].to_vec())?;
    let got = store
        .units(Scope::default(), true, now(), window_start())
        .await?;
    same(
        "OEM-side units",
        sorted(got),
        vec![
            units(None, V1, 0, 0, v1_stock(), 0, (0, 0)),
            units(None, V2, 1, 1, Ages::default(), 1, (0, 0)),
            units(None, V3, 0, 0, b3(), 1, (0, 0)),
        ],
    )
}

fn funnel(created: i64, reached: [i64; 6], lost: i64, drives: [i64; 4]) -> FunnelCounts {
    FunnelCounts {
        created,
        reached,
        lost,
        test_drives_scheduled: drives[0],
        test_drives_completed: drives[1],
        test_drive_customers: drives[2],
        test_drive_customers_who_bought: drives[3],
    }
}

async fn check_funnel_and_pipeline(store: &dyn ReportStore) -> anyhow::Result<()> {
    let (from, to) = (day(3, 1), day(3, 31));
    let network = Scope::default();
    let dealer_a = Scope {
        dealer_id: Some(DEALER_A),
        staff_id: None,
    };
    let s1 = Scope {
        dealer_id: Some(DEALER_A),
        staff_id: Some(S1),
    };
    same(
        "funnel",
        store.funnel(network, from, to).await?,
        funnel(5, [5, 4, 2, 2, 2, 2], 1, [6, 5, 4, 2]),
    )?;
    same(
        "dealer A's funnel",
        store.funnel(dealer_a, from, to).await?,
        funnel(4, [4, 4, 2, 2, 2, 2], 1, [5, 4, 4, 1]),
    )?;
    same(
        "salesperson 1's funnel",
        store.funnel(s1, from, to).await?,
        funnel(2, [2, 2, 1, 1, 1, 1], 1, [2, 2, 2, 1]),
    )?;
    same(
        "February's funnel",
        store.funnel(network, day(2, 1), day(2, 28)).await?,
        funnel(1, [1, 1, 1, 1, 1, 1], 0, [1, 1, 1, 1]),
    )?;
    let p = |created, approved, cancelled, delivered, open| PipelineCounts {
        created,
        approved,
        cancelled,
        delivered,
        open,
    };
    same(
        "retail pipeline",
        store.pipeline(network, OrderKind::Retail, from, to).await?,
        p(5, 5, 1, 4, 1),
    )?;
    same(
        "dealer A's early March",
        store
            .pipeline(dealer_a, OrderKind::Retail, from, day(3, 5))
            .await?,
        p(2, 2, 0, 2, 1),
    )?;
    same(
        "salesperson 1's pipeline",
        store.pipeline(s1, OrderKind::Retail, from, to).await?,
        p(3, 2, 1, 2, 0),
    )?;
    same(
        "OEM pipeline",
        store.pipeline(network, OrderKind::Oem, from, to).await?,
        p(2, 1, 1, 0, 2),
    )
}

async fn check_balances(store: &dyn ReportStore) -> anyhow::Result<()> {
    let inv = |invoice_id, dealer_id, number: &str, amount, paid, due_date| InvoiceBalance {
        invoice_id,
        dealer_id,
        number: number.into(),
        amount,
        paid,
        due_date,
    };
    let i1 = inv(I1, DEALER_A, "INV-1", 5_000, 5_000, day(2, 15));
    let i2 = inv(I2, DEALER_A, "INV-2", 8_000, 1_000, day(4, 5));
    let i3 = inv(I3, DEALER_B, "INV-3", 6_000, 0, day(1, 31));
    same(
        "invoices by due date",
        store.invoice_balances(None).await?,
        vec![i3, i1.clone(), i2.clone()],
    )?;
    same(
        "dealer A's invoices",
        store.invoice_balances(Some(DEALER_A)).await?,
        vec![i1, i2],
    )?;
    let o =
        |n, dealer_id, staff_id, c, payable, paid, instalments: &[(NaiveDate, i64)]| OrderBalance {
            order_id: order(n),
            dealer_id,
            staff_id: Some(staff_id),
            customer_id: Some(customer(c)),
            payable,
            paid,
            instalments: instalments.to_vec(),
        };
    let (a, b) = (DEALER_A, DEALER_B);
    let o1 = o(1, a, S1, 1, 1_000, 1_000, &[(day(3, 1), 1_000)]);
    let o2 = o(
        2,
        a,
        S2,
        2,
        1_200,
        400,
        &[(day(2, 27), 400), (day(3, 27), 400), (day(4, 27), 400)],
    );
    let o3 = o(3, a, S1, 3, 900, 900, &[(day(3, 5), 900)]);
    let o4 = o(4, b, S3, 4, 2_000, 2_000, &[(day(2, 20), 2_000)]);
    let o5 = o(5, b, S3, 5, 2_100, 1_000, &[(day(3, 8), 2_100)]);
    let o7 = o(
        7,
        a,
        S2,
        8,
        1_500,
        500,
        &[(day(3, 15), 500), (day(4, 15), 1_000)],
    );
    let balances = |mut orders: Vec<OrderBalance>| {
        orders.sort_by_key(|o| o.order_id);
        for o in &mut orders {
            o.instalments.sort();
        }
        orders
    };
    let network = Scope::default();
    same(
        "order balances",
        balances(store.order_balances(network).await?),
        vec![o1.clone(), o2, o3.clone(), o4.clone(), o5.clone(), o7],
    )?;
    let s1 = Scope {
        dealer_id: Some(a),
        staff_id: Some(S1),
    };
    same(
        "salesperson 1's balances",
        balances(store.order_balances(s1).await?),
        vec![o1, o3],
    )?;
    let dealer_b = Scope {
        dealer_id: Some(b),
        staff_id: None,
    };
    same(
        "dealer B's balances",
        balances(store.order_balances(dealer_b).await?),
        vec![o4, o5],
    )
}

async fn check_the_rest(store: &dyn ReportStore) -> anyhow::Result<()> {
    let t = |dealer_id, period: &str, units, revenue| TargetRow {
        dealer_id,
        period: period.into(),
        units,
        revenue,
    };
    let (a, b) = (DEALER_A, DEALER_B);
    same(
        "targets",
        store.targets(None, "2026-02", "2026-03").await?,
        vec![
            t(a, "2026-02", 10, 20_000),
            t(a, "2026-03", 14, 26_000),
            t(b, "2026-03", 8, 30_000),
        ],
    )?;
    same(
        "dealer A's targets",
        store.targets(Some(a), "2026-03", "2026-12").await?,
        vec![t(a, "2026-03", 14, 26_000), t(a, "2026-04", 15, 31_000)],
    )?;
    let p = |promotion_id, name: &str, source: &str, sales, discount| PromotionUse {
        promotion_id,
        name: name.into(),
        source: source.into(),
        sales,
        discount,
    };
    let (from, to) = (day(3, 1), day(3, 31));
    same(
        "promotions",
        store.promotion_uses(Scope::default(), from, to).await?,
        vec![
            p(P1, "Spring deal 2026", "oem", 3, 210),
            p(P2, "Dealer bonus", "dealer", 1, 40),
        ],
    )?;
    let dealer_a = Scope {
        dealer_id: Some(a),
        staff_id: None,
    };
    same(
        "dealer A's promotions",
        store.promotion_uses(dealer_a, from, to).await?,
        vec![
            p(P1, "Spring deal 2026", "oem", 2, 110),
            p(P2, "Dealer bonus", "dealer", 1, 40),
        ],
    )?;
    let s2 = Scope {
        dealer_id: Some(a),
        staff_id: Some(S2),
    };
    same(
        "salesperson 2's promotions",
        store.promotion_uses(s2, from, to).await?,
        vec![],
    )?;
    same(
        "promotions from the 5th",
        store
            .promotion_uses(Scope::default(), day(3, 5), to)
            .await?,
        vec![p(P1, "Spring deal 2026", "oem", 2, 150)],
    )?;
    let w = |variant_id, dealer_id, week, units| WeeklyDemand {
        variant_id,
        dealer_id,
        week,
        units,
    };
    let demand = |mut rows: Vec<WeeklyDemand>| {
        rows.sort_by_key(|r| (r.variant_id, r.dealer_id, r.week));
        rows
    };
    same(
        "weekly demand",
        demand(store.weekly_demand(false).await?),
        vec![
            w(V1, None, day(3, 2), 1),
            w(V1, None, day(3, 9), 2),
            w(V2, None, day(3, 2), 1),
            w(V3, None, day(2, 23), 1),
            w(V3, None, day(3, 9), 1),
        ],
    )?;
    same(
        "weekly demand per dealer",
        demand(store.weekly_demand(true).await?),
        vec![
            w(V1, Some(a), day(3, 2), 1),
            w(V1, Some(a), day(3, 9), 1),
            w(V1, Some(b), day(3, 9), 1),
            w(V2, Some(a), day(3, 2), 1),
            w(V3, Some(b), day(2, 23), 1),
            w(V3, Some(b), day(3, 9), 1),
        ],
    )?;
    let unknown = id(0xdead);
    let names = |pairs: &[(Uuid, &str)]| -> HashMap<Uuid, String> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    same(
        "dealer labels",
        store.labels(Directory::Dealers, &[a, b, unknown]).await?,
        names(&[(a, "Alpha Motors"), (b, "Beta Cars")]),
    )?;
    same(
        "branch labels",
        store.labels(Directory::Branches, &[BRANCH_A1]).await?,
        names(&[(BRANCH_A1, "Alpha Downtown")]),
    )?;
    same(
        "staff labels",
        store.labels(Directory::Staff, &[S1, S3, unknown]).await?,
        names(&[(S1, "Sam One"), (S3, "Stan Three")]),
    )?;
    same(
        "variant labels",
        store.labels(Directory::Variants, &[V1, V3]).await?,
        names(&[(V1, "Aurora Standard"), (V3, "Borealis Performance")]),
    )?;
    same(
        "model labels",
        store.labels(Directory::Models, &[M1, M2, unknown]).await?,
        names(&[(M1, "Aurora"), (M2, "Borealis")]),
    )?;
    same(
        "no labels asked",
        store.labels(Directory::Dealers, &[]).await?,
        HashMap::new(),
    )?;
    let staff: HashMap<Uuid, Uuid> = [(S1, a), (S3, b)].into_iter().collect();
    same(
        "staff dealers",
        store.staff_dealers(&[S1, S3, unknown]).await?,
        staff,
    )?;
    same(
        "no staff asked",
        store.staff_dealers(&[]).await?,
        HashMap::new(),
    )
}

/// Every query of the trait, against the figures the fixture implies.
async fn check(store: &dyn ReportStore) -> anyhow::Result<()> {
    check_sales(store).await?;
    check_units(store).await?;
    check_funnel_and_pipeline(store).await?;
    check_balances(store).await?;
    check_the_rest(store).await
}
