//! The facts of the contract suite: two dealers, three variants, three salespeople, six sales
//! over four weeks (one with two promotions), retail and OEM orders through every state,
//! customer payments, units from allocation to sale (one reserved and released), leads won and
//! lost, test drives, dealer invoices and payments, and targets (one set twice). Every id is
//! fixed, so the expected figures in the suite are literal.

use crate::domain::facts::{Fact, OrderKind, PromotionLine, Sale};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

/// A fixed id; ordering by `n` is ordering by id.
pub const fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 | n)
}

pub const DEALER_A: Uuid = id(0x0a);
pub const DEALER_B: Uuid = id(0x0b);
pub const BRANCH_A1: Uuid = id(0xba1);
pub const S1: Uuid = id(0x51);
pub const S2: Uuid = id(0x52);
pub const S3: Uuid = id(0x53);
pub const V1: Uuid = id(0x71);
pub const V2: Uuid = id(0x72);
pub const V3: Uuid = id(0x73);
pub const M1: Uuid = id(0x81);
pub const M2: Uuid = id(0x82);
pub const P1: Uuid = id(0x91);
pub const P2: Uuid = id(0x92);
pub const I1: Uuid = id(0x1_01);
pub const I2: Uuid = id(0x1_02);
pub const I3: Uuid = id(0x1_03);
/// Retail orders O1..O7 (O1..O5 become sales s1, s2, s3, s4, s5), OEM orders OE1..OE3.
pub const fn order(n: u128) -> Uuid {
    id(0x2_00 + n)
}
pub const fn oem_order(n: u128) -> Uuid {
    id(0x3_00 + n)
}
/// Customers C1..C9.
pub const fn customer(n: u128) -> Uuid {
    id(0x4_00 + n)
}
const fn lead(n: u128) -> Uuid {
    id(0x5_00 + n)
}
const fn drive(n: u128) -> Uuid {
    id(0x6_00 + n)
}
const fn payment(n: u128) -> Uuid {
    id(0x7_00 + n)
}
/// The sale with no order behind it (s6).
pub const LONE_SALE: Uuid = id(0x8_00);

pub fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap_or_default()
}

pub fn noon(year: i32, month: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, d, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// When the suite counts units: 2026-03-20 12:00 UTC, with the window from March 1st.
pub fn now() -> DateTime<Utc> {
    noon(2026, 3, 20)
}

pub fn window_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn dealer(dealer_id: Uuid, name: &str, region: &str) -> Fact {
    Fact::Dealer {
        dealer_id,
        code: name.chars().take(4).collect(),
        name: name.into(),
        region: region.into(),
        status: "active".into(),
    }
}

fn variant(variant_id: Uuid, model_id: Uuid, model: &str, name: &str) -> Fact {
    Fact::Variant {
        variant_id,
        model_id,
        model_name: model.into(),
        variant_name: name.into(),
        wholesale_price: 500,
    }
}

fn target(dealer_id: Uuid, period: &str, units: i32, revenue: i64) -> Fact {
    Fact::Target {
        dealer_id,
        period: period.into(),
        units,
        revenue,
    }
}

struct Money {
    revenue: i64,
    discount: i64,
    tax: i64,
    cost: i64,
}

#[allow(clippy::too_many_arguments)]
fn sale(
    order_id: Uuid,
    on: NaiveDate,
    (dealer_id, region, branch_id): (Uuid, &str, Option<Uuid>),
    staff_id: Uuid,
    customer_id: Uuid,
    (variant_id, model_id): (Uuid, Option<Uuid>),
    vin: &str,
    m: Money,
    days_in_stock: Option<i32>,
    promotions: &[(Uuid, &str, &str, i64)],
) -> Fact {
    Fact::Sale(Sale {
        order_id,
        day: on,
        dealer_id,
        region: region.into(),
        branch_id,
        staff_id,
        customer_id,
        variant_id,
        model_id,
        vin: vin.into(),
        revenue: m.revenue,
        list_price: m.revenue + m.discount,
        discount: m.discount,
        tax: m.tax,
        cost: m.cost,
        days_in_stock,
        promotions: promotions
            .iter()
            .map(|(promotion_id, name, source, amount)| PromotionLine {
                promotion_id: *promotion_id,
                name: (*name).into(),
                source: (*source).into(),
                amount: *amount,
            })
            .collect(),
        seeded: false,
    })
}

#[allow(clippy::too_many_arguments)]
fn opened(
    order_id: Uuid,
    kind: OrderKind,
    dealer_id: Uuid,
    staff_id: Uuid,
    customer_id: Option<Uuid>,
    payable: i64,
    on: NaiveDate,
    instalments: &[(NaiveDate, i64)],
) -> Fact {
    Fact::OrderOpened {
        order_id,
        kind,
        dealer_id,
        staff_id: Some(staff_id),
        customer_id,
        total: payable,
        payable,
        on,
        instalments: (1..)
            .zip(instalments)
            .map(|(n, (due, amount))| (n, *due, *amount))
            .collect(),
    }
}

fn retail(n: u128, dealer_id: Uuid, staff_id: Uuid, c: u128, payable: i64, on: NaiveDate) -> Fact {
    opened(
        order(n),
        OrderKind::Retail,
        dealer_id,
        staff_id,
        Some(customer(c)),
        payable,
        on,
        &[(on, payable)],
    )
}

fn approved(order_id: Uuid, on: NaiveDate) -> Fact {
    Fact::OrderApproved { order_id, on }
}

fn paid(n: u128, order_id: Uuid, dealer_id: Uuid, amount: i64, at: DateTime<Utc>) -> Fact {
    Fact::CustomerPayment {
        payment_id: payment(n),
        order_id,
        dealer_id,
        amount,
        at,
    }
}

/// A unit's path: allocated (if `allocated`), shipped and received (if given).
fn unit(
    vin: &str,
    dealer_id: Uuid,
    variant_id: Uuid,
    allocated: Option<DateTime<Utc>>,
    shipped: Option<DateTime<Utc>>,
    received: Option<DateTime<Utc>>,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some(at) = allocated {
        facts.push(Fact::UnitAllocated {
            vin: vin.into(),
            dealer_id,
            variant_id,
            cost: 600,
            at,
        });
    }
    if let Some(at) = shipped {
        facts.push(Fact::UnitShipped {
            vin: vin.into(),
            dealer_id,
            variant_id,
            cost: 600,
            at,
        });
    }
    if let Some(at) = received {
        facts.push(Fact::UnitReceived {
            vin: vin.into(),
            dealer_id,
            at,
        });
    }
    facts
}

fn reserved(vin: &str, dealer_id: Uuid, variant_id: Uuid, at: DateTime<Utc>) -> Fact {
    Fact::UnitReserved {
        vin: vin.into(),
        dealer_id,
        variant_id,
        at,
    }
}

fn lead_opened(
    n: u128,
    dealer_id: Uuid,
    owner_id: Uuid,
    c: u128,
    stage: &str,
    on: NaiveDate,
) -> Fact {
    Fact::LeadOpened {
        lead_id: lead(n),
        dealer_id,
        owner_id,
        customer_id: customer(c),
        source: "walk_in".into(),
        stage: stage.into(),
        on,
    }
}

fn moves(n: u128, stages: &[&str], on: NaiveDate) -> Vec<Fact> {
    stages
        .iter()
        .map(|to| Fact::LeadMoved {
            lead_id: lead(n),
            to: (*to).into(),
            on,
        })
        .collect()
}

/// Scheduled, then (if `completed`) completed as the customer module reports it.
fn test_drive(
    n: u128,
    dealer_id: Uuid,
    c: u128,
    variant_id: Uuid,
    scheduled: NaiveDate,
    completed: Option<NaiveDate>,
) -> Vec<Fact> {
    let mut facts = vec![Fact::TestDrive {
        test_drive_id: drive(n),
        dealer_id,
        customer_id: customer(c),
        variant_id,
        scheduled_on: scheduled,
        completed_on: None,
    }];
    if let Some(done) = completed {
        facts.push(Fact::TestDrive {
            test_drive_id: drive(n),
            dealer_id,
            customer_id: customer(c),
            variant_id,
            scheduled_on: done,
            completed_on: Some(done),
        });
    }
    facts
}

fn invoice(
    invoice_id: Uuid,
    dealer_id: Uuid,
    number: &str,
    amount: i64,
    due: NaiveDate,
    issued: NaiveDate,
) -> Fact {
    Fact::DealerInvoice {
        invoice_id,
        dealer_id,
        number: number.into(),
        amount,
        due_date: due,
        issued_on: issued,
    }
}

fn dealer_paid(n: u128, invoice_id: Uuid, dealer_id: Uuid, amount: i64, at: DateTime<Utc>) -> Fact {
    Fact::DealerPayment {
        payment_id: payment(0x80 + n),
        invoice_id,
        dealer_id,
        amount,
        at,
    }
}

/// Every fact, in the order the events would arrive.
pub fn facts() -> Vec<Fact> {
    let (a, b) = (DEALER_A, DEALER_B);
    let m = |revenue, discount, tax, cost| Money {
        revenue,
        discount,
        tax,
        cost,
    };
    let mut f = vec![
        dealer(a, "Alpha", "North"),
        dealer(b, "Beta Cars", "South"),
        Fact::Branch {
            branch_id: BRANCH_A1,
            dealer_id: a,
            name: "Alpha Downtown".into(),
        },
        Fact::Staff {
            user_id: S1,
            dealer_id: a,
            name: "Sam One".into(),
        },
        Fact::Staff {
            user_id: S2,
            dealer_id: a,
            name: "Sue Two".into(),
        },
        Fact::Staff {
            user_id: S3,
            dealer_id: b,
            name: "Stan Three".into(),
        },
        variant(V1, M1, "Aurora", "Standard"),
        variant(V2, M1, "Aurora", "Long Range"),
        variant(V3, M2, "Borealis", "Performance"),
        Fact::Promotion {
            promotion_id: P1,
            name: "Spring deal".into(),
            source: "oem".into(),
        },
        target(a, "2026-02", 10, 20_000),
        target(a, "2026-03", 12, 25_000),
        target(b, "2026-03", 8, 30_000),
        target(a, "2026-04", 15, 31_000),
        opened(
            oem_order(1),
            OrderKind::Oem,
            a,
            S1,
            None,
            5_000,
            day(1, 2),
            &[],
        ),
        approved(oem_order(1), day(1, 3)),
        invoice(I3, b, "INV-3", 6_000, day(1, 31), day(1, 15)),
        invoice(I1, a, "INV-1", 5_000, day(2, 15), day(1, 10)),
        dealer_paid(1, I1, a, 3_000, noon(2026, 2, 1)),
        dealer_paid(2, I1, a, 2_000, noon(2026, 2, 14)),
    ];
    let t = |m, d| Some(noon(2026, m, d));
    f.extend(unit("A1", a, V1, t(1, 5), t(1, 10), t(2, 20)));
    f.extend(unit("A2", a, V2, t(1, 5), t(2, 1), t(2, 10)));
    f.extend(unit("A3", a, V1, t(1, 5), t(1, 20), t(2, 1)));
    f.extend(unit(
        "A4",
        a,
        V1,
        Some(noon(2025, 11, 1)),
        Some(noon(2025, 11, 10)),
        Some(noon(2025, 12, 1)),
    ));
    f.extend(unit("A5", a, V1, t(1, 5), t(1, 25), t(2, 18)));
    f.extend(unit(
        "A8",
        a,
        V1,
        Some(noon(2025, 12, 1)),
        Some(noon(2025, 12, 15)),
        t(1, 1),
    ));
    f.extend(unit("B1", b, V3, t(1, 15), t(1, 15), t(1, 20)));
    f.extend(unit("B2", b, V3, None, t(2, 1), t(2, 15)));
    // February at dealer B: a lead won, a test drive, an order delivered.
    f.push(lead_opened(4, b, S3, 4, "new", day(2, 20)));
    f.extend(test_drive(6, b, 4, V3, day(2, 18), Some(day(2, 19))));
    f.push(retail(4, b, S3, 4, 2_000, day(2, 20)));
    f.push(reserved("B1", b, V3, noon(2026, 2, 20)));
    f.push(approved(order(4), day(2, 21)));
    f.push(paid(4, order(4), b, 2_000, noon(2026, 2, 22)));
    f.extend(moves(4, &["contacted", "won"], day(2, 24)));
    let promo = |id, name, amount| (id, name, if id == P1 { "oem" } else { "dealer" }, amount);
    f.push(sale(
        order(4),
        day(2, 25),
        (b, "South", None),
        S3,
        customer(4),
        (V3, Some(M2)),
        "B1",
        m(2_000, 0, 200, 1_500),
        Some(40),
        &[],
    ));
    // O2 opened in February, paid by instalments.
    f.push(opened(
        order(2),
        OrderKind::Retail,
        a,
        S2,
        Some(customer(2)),
        1_200,
        day(2, 27),
        &[(day(2, 27), 400), (day(3, 27), 400), (day(4, 27), 400)],
    ));
    f.push(reserved("A1", a, V1, noon(2026, 2, 28)));
    // March.
    f.push(lead_opened(1, a, S1, 1, "new", day(3, 1)));
    f.extend(test_drive(1, a, 1, V1, day(3, 1), Some(day(3, 1))));
    f.push(retail(1, a, S1, 1, 1_000, day(3, 1)));
    f.push(reserved("A2", a, V2, noon(2026, 3, 1)));
    f.push(approved(order(1), day(3, 1)));
    f.push(approved(order(2), day(3, 1)));
    f.extend(unit("A7", a, V2, t(3, 1), t(3, 5), None));
    f.extend(unit("B3", b, V3, t(2, 25), t(3, 2), t(3, 18)));
    f.push(paid(1, order(1), a, 1_000, noon(2026, 3, 1)));
    f.extend(moves(
        1,
        &["contacted", "qualified", "test_drive", "negotiation", "won"],
        day(3, 2),
    ));
    f.push(sale(
        order(1),
        day(3, 2),
        (a, "", Some(BRANCH_A1)),
        S1,
        customer(1),
        (V1, None),
        "A1",
        m(1_000, 100, 100, 600),
        Some(10),
        &[promo(P1, "Spring deal", 60), promo(P2, "Dealer bonus", 40)],
    ));
    f.push(paid(2, order(2), a, 400, noon(2026, 3, 2)));
    f.push(lead_opened(2, a, S1, 6, "new", day(3, 3)));
    f.push(lead_opened(3, a, S2, 2, "qualified", day(3, 3)));
    f.extend(test_drive(2, a, 6, V2, day(3, 3), Some(day(3, 4))));
    f.push(opened(
        oem_order(2),
        OrderKind::Oem,
        a,
        S2,
        None,
        9_000,
        day(3, 3),
        &[],
    ));
    f.push(approved(oem_order(2), day(3, 4)));
    f.extend(moves(3, &["won"], day(3, 4)));
    f.push(sale(
        order(2),
        day(3, 4),
        (a, "North", None),
        S2,
        customer(2),
        (V2, Some(M1)),
        "A2",
        m(1_200, 0, 100, 800),
        Some(20),
        &[],
    ));
    f.extend(moves(2, &["contacted", "lost"], day(3, 5)));
    f.push(retail(3, a, S1, 3, 900, day(3, 5)));
    f.extend(test_drive(4, b, 5, V3, day(3, 5), Some(day(3, 6))));
    f.push(opened(
        oem_order(3),
        OrderKind::Oem,
        b,
        S3,
        None,
        7_000,
        day(3, 5),
        &[],
    ));
    f.push(Fact::OrderCancelled {
        order_id: oem_order(3),
        on: day(3, 6),
    });
    f.push(approved(order(3), day(3, 6)));
    f.push(retail(6, a, S1, 6, 800, day(3, 6)));
    f.push(invoice(I2, a, "INV-2", 8_000, day(4, 5), day(3, 6)));
    f.push(Fact::OrderCancelled {
        order_id: order(6),
        on: day(3, 7),
    });
    f.extend(test_drive(7, a, 5, V1, day(3, 7), Some(day(3, 7))));
    f.push(paid(3, order(3), a, 500, noon(2026, 3, 7)));
    f.push(retail(5, b, S3, 5, 2_100, day(3, 8)));
    f.push(approved(order(5), day(3, 9)));
    f.push(dealer_paid(3, I2, a, 1_000, noon(2026, 3, 9)));
    f.push(reserved("A4", a, V1, noon(2026, 3, 10)));
    f.push(Fact::UnitReleased { vin: "A4".into() });
    f.push(sale(
        order(3),
        day(3, 10),
        (a, "North", Some(BRANCH_A1)),
        S1,
        customer(3),
        (V1, Some(M1)),
        "",
        m(900, 50, 100, 600),
        None,
        &[promo(P1, "Spring deal", 50)],
    ));
    f.push(paid(5, order(3), a, 400, noon(2026, 3, 10)));
    f.push(lead_opened(5, b, S3, 7, "new", day(3, 10)));
    f.push(sale(
        order(5),
        day(3, 11),
        (b, "South", None),
        S3,
        customer(5),
        (V3, Some(M2)),
        "B2",
        m(2_100, 100, 200, 1_500),
        Some(5),
        &[promo(P1, "Spring deal", 100)],
    ));
    f.push(paid(6, order(5), b, 1_000, noon(2026, 3, 11)));
    f.push(sale(
        LONE_SALE,
        day(3, 12),
        (b, "South", None),
        S3,
        customer(9),
        (V1, Some(M1)),
        "",
        m(1_000, 0, 100, 600),
        None,
        &[],
    ));
    f.push(lead_opened(6, a, S2, 8, "contacted", day(3, 12)));
    f.extend(test_drive(3, a, 3, V1, day(3, 12), Some(day(3, 12))));
    f.push(opened(
        order(7),
        OrderKind::Retail,
        a,
        S2,
        Some(customer(8)),
        1_500,
        day(3, 15),
        &[(day(3, 15), 500), (day(4, 15), 1_000)],
    ));
    f.extend(unit("A6", a, V2, t(3, 15), None, None));
    f.push(reserved("A3", a, V1, noon(2026, 3, 15)));
    f.push(approved(order(7), day(3, 16)));
    f.push(paid(7, order(7), a, 500, noon(2026, 3, 16)));
    f.extend(test_drive(5, a, 2, V2, day(3, 20), None));
    // Later corrections: a renamed dealer and promotion, a revised target.
    f.push(dealer(a, "Alpha Motors", "North"));
    f.push(Fact::Promotion {
        promotion_id: P1,
        name: "Spring deal 2026".into(),
        source: "oem".into(),
    });
    f.push(target(a, "2026-03", 14, 26_000));
    f
}
