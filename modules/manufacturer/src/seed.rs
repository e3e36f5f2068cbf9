//! The demo line-up: one OEM, three models with realistic EV specs, colours, prices,
//! promotions, warehouse stock and contracts with both demo dealers. Idempotent.

use crate::domain::catalog::{ModelStatus, VariantStatus};
use crate::domain::lifecycle::StockUnitStatus;
use crate::domain::promotions::{PromotionAudience, PromotionKind, Targets};
use crate::store::{
    colours, dealer_contracts, manufacturers, oem_stock, price_history, promotions, stock_ledger,
    stock_thresholds, variants, vehicle_models,
};
use chrono::Datelike;
use contracts::{seed as demo, Vin};
use kernel::Db;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

/// Battery kWh, range km, motor kW, 0–100 s, seats, drive, charging kW, extra specs.
type Specs = (
    f64,
    i32,
    i32,
    f64,
    i32,
    &'static str,
    i32,
    serde_json::Value,
);

fn specs_of(variant: Uuid) -> Specs {
    use serde_json::json;
    match variant {
        v if v == demo::VARIANT_AURORA_STANDARD => (
            60.0,
            420,
            180,
            7.2,
            5,
            "RWD",
            150,
            json!({"wheelsInch": 18, "heatPump": true}),
        ),
        v if v == demo::VARIANT_AURORA_LONG_RANGE => (
            82.0,
            590,
            250,
            5.9,
            5,
            "RWD",
            200,
            json!({"wheelsInch": 19, "heatPump": true}),
        ),
        v if v == demo::VARIANT_AURORA_PERFORMANCE => (
            82.0,
            540,
            390,
            3.6,
            5,
            "AWD",
            250,
            json!({"wheelsInch": 20, "heatPump": true, "sportSuspension": true}),
        ),
        v if v == demo::VARIANT_TERRA_LONG_RANGE => (
            90.0,
            520,
            300,
            5.4,
            7,
            "AWD",
            220,
            json!({"towingKg": 1800, "wheelsInch": 20}),
        ),
        v if v == demo::VARIANT_TERRA_MAX => (
            105.0,
            600,
            420,
            4.1,
            7,
            "AWD",
            250,
            json!({"towingKg": 2200, "wheelsInch": 21, "airSuspension": true}),
        ),
        v if v == demo::VARIANT_PULSE_CITY => {
            (42.0, 320, 110, 8.9, 5, "FWD", 85, json!({"wheelsInch": 16}))
        }
        _ => (
            54.0,
            400,
            150,
            7.8,
            5,
            "FWD",
            100,
            json!({"wheelsInch": 17, "heatPump": true}),
        ),
    }
}

pub async fn run(db: &Db) -> anyhow::Result<()> {
    if manufacturers::Entity::find_by_id(demo::MANUFACTURER)
        .one(db.conn())
        .await?
        .is_some()
    {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    manufacturers::ActiveModel {
        id: Set(demo::MANUFACTURER),
        name: Set("Voltara Motors".into()),
        country: Set("Vietnam".into()),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    for model in demo::DEMO_MODELS {
        vehicle_models::ActiveModel {
            id: Set(model.id),
            manufacturer_id: Set(demo::MANUFACTURER),
            name: Set(model.name.into()),
            segment: Set(model.segment.into()),
            model_year: Set(model.year),
            status: Set(ModelStatus::Published),
            description: Set(Some(format!(
                "Voltara {} — {} electric {}",
                model.name, model.year, model.segment
            ))),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
    }
    for colour in demo::DEMO_COLOURS {
        colours::ActiveModel {
            id: Set(colour.id),
            model_id: Set(colour.model_id),
            name: Set(colour.name.into()),
            hex: Set(colour.hex.into()),
            surcharge: Set(colour.surcharge.0),
            available: Set(true),
        }
        .insert(&*txn)
        .await?;
    }
    let mut serial = 100_001;
    for (v_index, variant) in demo::DEMO_VARIANTS.iter().enumerate() {
        let model = demo::DEMO_MODELS
            .iter()
            .find(|m| m.id == variant.model_id)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo variant without model"))?;
        let (battery, range, motor, accel, seats, drive, charging, extra) = specs_of(variant.id);
        variants::ActiveModel {
            id: Set(variant.id),
            model_id: Set(variant.model_id),
            name: Set(variant.name.into()),
            status: Set(VariantStatus::InProduction),
            model_status: Set(ModelStatus::Published),
            segment: Set(model.segment.into()),
            battery_kwh: Set(battery),
            range_km: Set(range),
            motor_kw: Set(motor),
            zero_to_100_s: Set(accel),
            seats: Set(seats),
            drive: Set(drive.into()),
            charging_kw: Set(charging),
            specs: Set(extra),
            msrp: Set(variant.msrp.0),
            wholesale_price: Set(variant.wholesale_price.0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
        price_history::ActiveModel {
            id: Set(Uuid::now_v7()),
            variant_id: Set(variant.id),
            msrp: Set(variant.msrp.0),
            wholesale_price: Set(variant.wholesale_price.0),
            changed_by: Set(None),
            effective_from: Set(now),
        }
        .insert(&*txn)
        .await?;
        for (c_index, colour) in demo::DEMO_COLOURS
            .iter()
            .filter(|c| c.model_id == variant.model_id)
            .enumerate()
        {
            stock_thresholds::ActiveModel {
                variant_id: Set(variant.id),
                colour_id: Set(colour.id),
                threshold: Set(2),
                low: Set(false),
            }
            .insert(&*txn)
            .await?;
            for _ in 0..6 {
                let draft = format!(
                    "LVE{}{}{}EV0TA{serial:06}",
                    (b'A' + v_index as u8) as char,
                    v_index + 1,
                    c_index + 1
                );
                let vin = Vin::with_check_digit(&draft)
                    .map_err(|e| anyhow::anyhow!("demo VIN {draft}: {e}"))?;
                serial += 1;
                oem_stock::ActiveModel {
                    vin: Set(vin.to_string()),
                    variant_id: Set(variant.id),
                    colour_id: Set(colour.id),
                    status: Set(StockUnitStatus::InWarehouse),
                    order_id: Set(None),
                    location: Set("Hai Phong plant warehouse".into()),
                    unit_price: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&*txn)
                .await?;
                stock_ledger::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    vin: Set(vin.to_string()),
                    movement: Set("receive".into()),
                    from_status: Set(None),
                    to_status: Set(StockUnitStatus::InWarehouse),
                    order_id: Set(None),
                    actor_id: Set(None),
                    at: Set(now),
                }
                .insert(&*txn)
                .await?;
            }
        }
    }
    let year_start = chrono::NaiveDate::from_ymd_opt(now.date_naive().year(), 1, 1)
        .ok_or_else(|| anyhow::anyhow!("bad date"))?;
    let year_end = year_start + chrono::Months::new(12) - chrono::Days::new(1);
    for (i, (dealer, limit, discount)) in [
        (demo::DEALER_A, 2_000_000_000_i64, 300),
        (demo::DEALER_B, 800_000_000, 200),
    ]
    .into_iter()
    .enumerate()
    {
        dealer_contracts::ActiveModel {
            id: Set(Uuid::now_v7()),
            number: Set(format!("DC-DEMO-{:04}", i + 1)),
            dealer_id: Set(dealer),
            starts_on: Set(year_start),
            ends_on: Set(year_end),
            sales_target_units: Set(if i == 0 { 240 } else { 120 }),
            credit_limit: Set(limit),
            wholesale_discount_bp: Set(discount),
            payment_terms_days: Set(30),
            status: Set(crate::domain::dealer_contracts::DealerContractStatus::Active),
            created_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    let promotions = [
        (
            "Year-end dealer volume bonus",
            PromotionAudience::Wholesale,
            PromotionKind::Percent,
            150,
            true,
            vec![],
        ),
        (
            "Aurora launch: free wallbox",
            PromotionAudience::Retail,
            PromotionKind::Amount,
            80_000,
            true,
            vec![demo::MODEL_AURORA],
        ),
    ];
    for (name, applies_to, kind, value, stackable, models) in promotions {
        let variant_ids: Vec<Uuid> = demo::DEMO_VARIANTS
            .iter()
            .filter(|v| models.is_empty() || models.contains(&v.model_id))
            .map(|v| v.id)
            .collect();
        let promotion = promotions::oem_promotions::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.into()),
            applies_to: Set(applies_to),
            kind: Set(kind),
            value: Set(value),
            starts_at: Set(now - chrono::Duration::days(1)),
            ends_at: Set(now + chrono::Duration::days(90)),
            variant_ids: Set(Targets(if models.is_empty() {
                vec![]
            } else {
                variant_ids
            })),
            dealer_ids: Set(Targets::default()),
            stackable: Set(stackable),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
        kernel::events::publish(&mut txn, &promotions::changed_event(&promotion)).await?;
    }
    for model in demo::DEMO_MODELS {
        crate::app::catalog::publish_model_variants(&mut txn, model.id).await?;
    }
    txn.commit().await?;
    tracing::info!("seeded the demo catalog, OEM stock and dealer contracts");
    Ok(())
}
