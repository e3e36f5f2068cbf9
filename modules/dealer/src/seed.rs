//! Two demo dealers with branches, staff, stock, a target, a promotion, and quotations and
//! orders in several states. Idempotent. The catalog copy and customer directory are pre-filled
//! from `contracts::seed` (the same data the manufacturer's and customer's events bring).

use crate::app::{dealers::profile_event, directory};
use crate::domain::{
    dealers::{DealerStatus, DEFAULT_TAX_RATE_BP},
    inventory::UnitStatus,
    pricing::{self, OptionLines},
    promotions::{PromotionKind, Targets},
    quotations::QuotationStatus,
};
use crate::store::{
    branches, dealer_promotions, dealers, inventory_units, quotations, sales_targets,
};
use contracts::{events::auth::UserRegistered, seed as demo, Vin};
use kernel::Db;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

pub async fn run(db: &Db) -> anyhow::Result<()> {
    if dealers::find(db.conn(), demo::DEALER_A).await?.is_some() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    let dealers_data = [
        (
            demo::DEALER_A,
            "DLR-A",
            "Saigon EV Center",
            "South",
            "Ho Chi Minh City",
            "0312345678",
            demo::DEALER_A_MAIN_BRANCH,
        ),
        (
            demo::DEALER_B,
            "DLR-B",
            "Hanoi Electric Motors",
            "North",
            "Hanoi",
            "0109876543",
            demo::DEALER_B_MAIN_BRANCH,
        ),
    ];
    for (id, code, name, region, city, tax, main_branch) in dealers_data {
        let dealer = dealers::ActiveModel {
            id: Set(id),
            code: Set(code.into()),
            name: Set(name.into()),
            region: Set(region.into()),
            city: Set(city.into()),
            tax_number: Set(tax.into()),
            status: Set(DealerStatus::Active),
            tax_rate_bp: Set(DEFAULT_TAX_RATE_BP),
            time_zone: Set(Some("Asia/Ho_Chi_Minh".into())),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
        kernel::events::publish(&mut txn, &profile_event(&dealer)).await?;
        for (branch_id, branch_name) in [
            (main_branch, "Main showroom"),
            (Uuid::now_v7(), "City service point"),
        ] {
            branches::ActiveModel {
                id: Set(branch_id),
                dealer_id: Set(id),
                name: Set(branch_name.into()),
                city: Set(city.into()),
                address: Set(format!("{branch_name}, {city}")),
                created_at: Set(now),
            }
            .insert(&*txn)
            .await?;
            let opened = contracts::events::dealer::BranchOpened {
                branch_id,
                dealer_id: id,
                name: branch_name.into(),
                city: city.into(),
            };
            kernel::events::publish(&mut txn, &opened).await?;
        }
        let target = sales_targets::ActiveModel {
            id: Set(Uuid::now_v7()),
            dealer_id: Set(id),
            period: Set(now.format("%Y-%m").to_string()),
            target_units: Set(if id == demo::DEALER_A { 20 } else { 10 }),
            target_revenue: Set(if id == demo::DEALER_A {
                100_000_000
            } else {
                50_000_000
            }),
        }
        .insert(&*txn)
        .await?;
        let target_set = contracts::events::dealer::SalesTargetSet {
            dealer_id: id,
            period: target.period,
            target_units: target.target_units,
            target_revenue: contracts::Money(target.target_revenue),
        };
        kernel::events::publish(&mut txn, &target_set).await?;
    }
    for ((email, name, role, dealer, branch), user_id) in
        demo::DEMO_USERS.into_iter().zip(demo::DEMO_USER_IDS)
    {
        let user = UserRegistered {
            user_id,
            email: email.into(),
            name: name.into(),
            role: role.into(),
            dealer_id: dealer,
            branch_id: branch,
        };
        directory::user_registered(&*txn, user).await?;
    }
    for customer in demo::DEMO_CUSTOMERS {
        directory::customer_created(&*txn, customer.id, customer.dealer_id).await?;
    }
    for snapshot in demo::published_variants() {
        directory::variant_published(&*txn, snapshot).await?;
    }
    // Stock: for each dealer, three units in stock, one in transit, one demo car per line.
    let lines = [
        (demo::VARIANT_AURORA_LONG_RANGE, demo::COLOUR_AURORA_WHITE),
        (demo::VARIANT_AURORA_STANDARD, demo::COLOUR_AURORA_BLACK),
        (demo::VARIANT_TERRA_LONG_RANGE, demo::COLOUR_TERRA_GREY),
        (demo::VARIANT_PULSE_CITY, demo::COLOUR_PULSE_WHITE),
    ];
    for (d_index, dealer_id) in [demo::DEALER_A, demo::DEALER_B].into_iter().enumerate() {
        let mut serial = 900_001 + 50_000 * d_index;
        for (l_index, (variant, colour)) in lines.iter().enumerate() {
            let wholesale = demo::DEMO_VARIANTS
                .iter()
                .find(|v| v.id == *variant)
                .map(|v| v.wholesale_price.0)
                .unwrap_or(0);
            use UnitStatus::{Demo, InStock, InTransit};
            for status in [InStock, InStock, InStock, InTransit, Demo] {
                let draft = format!(
                    "LVD{}{}DLR0TA{serial:06}",
                    (b'A' + d_index as u8) as char,
                    l_index + 1
                );
                let vin = Vin::with_check_digit(&draft)
                    .map_err(|e| anyhow::anyhow!("demo VIN {draft}: {e}"))?;
                serial += 1;
                let received = (status != InTransit)
                    .then(|| now - chrono::Duration::days(10 + 7 * l_index as i64));
                inventory_units::ActiveModel {
                    vin: Set(vin.to_string()),
                    dealer_id: Set(dealer_id),
                    branch_id: Set(Some(if dealer_id == demo::DEALER_A {
                        demo::DEALER_A_MAIN_BRANCH
                    } else {
                        demo::DEALER_B_MAIN_BRANCH
                    })),
                    variant_id: Set(*variant),
                    colour_id: Set(*colour),
                    status: Set(status),
                    cost: Set(wholesale),
                    dealer_order_id: Set(None),
                    sales_order_id: Set(None),
                    received_at: Set(received),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&*txn)
                .await?;
            }
        }
    }
    dealer_promotions::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(demo::DEALER_A),
        name: Set("Showroom opening: 1% off".into()),
        kind: Set(PromotionKind::Percent),
        value: Set(100),
        starts_at: Set(now - chrono::Duration::days(1)),
        ends_at: Set(now + chrono::Duration::days(30)),
        variant_ids: Set(Targets::default()),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    // Quotations of Dealer A's salesperson: one draft, one sent.
    let staff_a = demo::DEMO_USER_IDS[3];
    for (i, status) in [QuotationStatus::Draft, QuotationStatus::Sent]
        .into_iter()
        .enumerate()
    {
        let variant = demo::DEMO_VARIANTS[1];
        let colour = demo::DEMO_COLOURS[2];
        let breakdown = pricing::price(&pricing::PriceInput {
            msrp: variant.msrp,
            colour_surcharge: colour.surcharge,
            options: &[],
            oem_promotions: &[],
            dealer_promotions: &[],
            manual_discount_bp: 0,
            tax_rate_bp: 1000,
        })
        .ok_or_else(|| anyhow::anyhow!("demo price"))?;
        let id = Uuid::now_v7();
        quotations::ActiveModel {
            id: Set(id),
            number: Set(format!("QT-DEMO-{:04}", i + 1)),
            dealer_id: Set(demo::DEALER_A),
            branch_id: Set(Some(demo::DEALER_A_MAIN_BRANCH)),
            customer_id: Set(demo::DEMO_CUSTOMERS[i].id),
            staff_id: Set(staff_a),
            variant_id: Set(variant.id),
            colour_id: Set(colour.id),
            options: Set(OptionLines::default()),
            total: Set(breakdown.total.0),
            breakdown: Set(breakdown),
            manual_discount_bp: Set(0),
            status: Set(status),
            valid_until: Set(now.date_naive() + chrono::Days::new(14)),
            sales_order_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!("seeded the demo dealers, stock and sales documents");
    Ok(())
}
