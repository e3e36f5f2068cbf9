//! Fixed ids of the demo data, so every module's seed refers to the same dealers.

use crate::money::Money;
use uuid::Uuid;

pub const DEALER_A: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00a1);
pub const DEALER_B: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00b1);
pub const DEALER_A_MAIN_BRANCH: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a01);
pub const DEALER_B_MAIN_BRANCH: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0b01);

/// A demo account: email, display name, role, dealer, branch.
pub type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    Option<Uuid>,
    Option<Uuid>,
);

/// The ids of the demo accounts, in the order of [`DEMO_USERS`], so other modules' seeds can
/// name their staff (quotations and orders of a demo salesperson).
pub const DEMO_USER_IDS: [Uuid; 6] = [
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a00),
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0e00),
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a10),
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a20),
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0b10),
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0b20),
];

/// The demo accounts; all share `seed.dev_password`.
pub const DEMO_USERS: [DemoUser; 6] = [
    ("admin@evdms.dev", "Ada Admin", "admin", None, None),
    (
        "evm@evdms.dev",
        "Evan Manufacturer",
        "evm_staff",
        None,
        None,
    ),
    (
        "manager@dealer-a.evdms.dev",
        "Mara Manager (Dealer A)",
        "dealer_manager",
        Some(DEALER_A),
        Some(DEALER_A_MAIN_BRANCH),
    ),
    (
        "staff@dealer-a.evdms.dev",
        "Sam Staff (Dealer A)",
        "dealer_staff",
        Some(DEALER_A),
        Some(DEALER_A_MAIN_BRANCH),
    ),
    (
        "manager@dealer-b.evdms.dev",
        "Max Manager (Dealer B)",
        "dealer_manager",
        Some(DEALER_B),
        Some(DEALER_B_MAIN_BRANCH),
    ),
    (
        "staff@dealer-b.evdms.dev",
        "Sue Staff (Dealer B)",
        "dealer_staff",
        Some(DEALER_B),
        Some(DEALER_B_MAIN_BRANCH),
    ),
];

/// The demo OEM.
pub const MANUFACTURER: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0e01);

/// A demo vehicle model: id, name, segment, model year.
#[derive(Debug, Clone, Copy)]
pub struct DemoModel {
    pub id: Uuid,
    pub name: &'static str,
    pub segment: &'static str,
    pub year: i32,
}

/// A demo variant (trim) with its list and wholesale prices in minor units.
#[derive(Debug, Clone, Copy)]
pub struct DemoVariant {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: &'static str,
    pub msrp: Money,
    pub wholesale_price: Money,
}

/// A demo colour of a model, with its surcharge in minor units.
#[derive(Debug, Clone, Copy)]
pub struct DemoColour {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: &'static str,
    pub hex: &'static str,
    pub surcharge: Money,
}

const fn demo_id(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0001_0000 + n)
}

pub const MODEL_AURORA: Uuid = demo_id(0x100);
pub const MODEL_TERRA: Uuid = demo_id(0x200);
pub const MODEL_PULSE: Uuid = demo_id(0x300);

/// The demo line-up every module's seed agrees on (the manufacturer seeds it with full specs;
/// other modules may pre-fill their event-fed copies from it).
pub const DEMO_MODELS: [DemoModel; 3] = [
    DemoModel {
        id: MODEL_AURORA,
        name: "Aurora",
        segment: "sedan",
        year: 2026,
    },
    DemoModel {
        id: MODEL_TERRA,
        name: "Terra",
        segment: "suv",
        year: 2026,
    },
    DemoModel {
        id: MODEL_PULSE,
        name: "Pulse",
        segment: "hatchback",
        year: 2026,
    },
];

pub const VARIANT_AURORA_STANDARD: Uuid = demo_id(0x101);
pub const VARIANT_AURORA_LONG_RANGE: Uuid = demo_id(0x102);
pub const VARIANT_AURORA_PERFORMANCE: Uuid = demo_id(0x103);
pub const VARIANT_TERRA_LONG_RANGE: Uuid = demo_id(0x201);
pub const VARIANT_TERRA_MAX: Uuid = demo_id(0x202);
pub const VARIANT_PULSE_CITY: Uuid = demo_id(0x301);
pub const VARIANT_PULSE_PLUS: Uuid = demo_id(0x302);

pub const DEMO_VARIANTS: [DemoVariant; 7] = [
    DemoVariant {
        id: VARIANT_AURORA_STANDARD,
        model_id: MODEL_AURORA,
        name: "Standard Range",
        msrp: Money(4_299_000),
        wholesale_price: Money(3_870_000),
    },
    DemoVariant {
        id: VARIANT_AURORA_LONG_RANGE,
        model_id: MODEL_AURORA,
        name: "Long Range",
        msrp: Money(4_999_000),
        wholesale_price: Money(4_500_000),
    },
    DemoVariant {
        id: VARIANT_AURORA_PERFORMANCE,
        model_id: MODEL_AURORA,
        name: "Performance",
        msrp: Money(5_799_000),
        wholesale_price: Money(5_220_000),
    },
    DemoVariant {
        id: VARIANT_TERRA_LONG_RANGE,
        model_id: MODEL_TERRA,
        name: "Long Range AWD",
        msrp: Money(5_599_000),
        wholesale_price: Money(5_040_000),
    },
    DemoVariant {
        id: VARIANT_TERRA_MAX,
        model_id: MODEL_TERRA,
        name: "Max",
        msrp: Money(6_899_000),
        wholesale_price: Money(6_210_000),
    },
    DemoVariant {
        id: VARIANT_PULSE_CITY,
        model_id: MODEL_PULSE,
        name: "City",
        msrp: Money(2_899_000),
        wholesale_price: Money(2_610_000),
    },
    DemoVariant {
        id: VARIANT_PULSE_PLUS,
        model_id: MODEL_PULSE,
        name: "Plus",
        msrp: Money(3_399_000),
        wholesale_price: Money(3_060_000),
    },
];

pub const COLOUR_AURORA_WHITE: Uuid = demo_id(0x1c1);
pub const COLOUR_AURORA_BLACK: Uuid = demo_id(0x1c2);
pub const COLOUR_AURORA_BLUE: Uuid = demo_id(0x1c3);
pub const COLOUR_TERRA_WHITE: Uuid = demo_id(0x2c1);
pub const COLOUR_TERRA_GREY: Uuid = demo_id(0x2c2);
pub const COLOUR_TERRA_RED: Uuid = demo_id(0x2c3);
pub const COLOUR_PULSE_WHITE: Uuid = demo_id(0x3c1);
pub const COLOUR_PULSE_YELLOW: Uuid = demo_id(0x3c2);

pub const DEMO_COLOURS: [DemoColour; 8] = [
    DemoColour {
        id: COLOUR_AURORA_WHITE,
        model_id: MODEL_AURORA,
        name: "Glacier White",
        hex: "#F4F5F0",
        surcharge: Money(0),
    },
    DemoColour {
        id: COLOUR_AURORA_BLACK,
        model_id: MODEL_AURORA,
        name: "Midnight Black",
        hex: "#111217",
        surcharge: Money(100_000),
    },
    DemoColour {
        id: COLOUR_AURORA_BLUE,
        model_id: MODEL_AURORA,
        name: "Ocean Blue",
        hex: "#1D4E89",
        surcharge: Money(150_000),
    },
    DemoColour {
        id: COLOUR_TERRA_WHITE,
        model_id: MODEL_TERRA,
        name: "Glacier White",
        hex: "#F4F5F0",
        surcharge: Money(0),
    },
    DemoColour {
        id: COLOUR_TERRA_GREY,
        model_id: MODEL_TERRA,
        name: "Graphite Grey",
        hex: "#4A4D52",
        surcharge: Money(120_000),
    },
    DemoColour {
        id: COLOUR_TERRA_RED,
        model_id: MODEL_TERRA,
        name: "Crimson Red",
        hex: "#A3151C",
        surcharge: Money(200_000),
    },
    DemoColour {
        id: COLOUR_PULSE_WHITE,
        model_id: MODEL_PULSE,
        name: "Glacier White",
        hex: "#F4F5F0",
        surcharge: Money(0),
    },
    DemoColour {
        id: COLOUR_PULSE_YELLOW,
        model_id: MODEL_PULSE,
        name: "Solar Yellow",
        hex: "#F2C230",
        surcharge: Money(80_000),
    },
];

/// A demo customer of a dealer. Only the id and dealer are shared: the customer module seeds
/// the personal data, other modules refer to the id (their quotations, orders, timelines).
#[derive(Debug, Clone, Copy)]
pub struct DemoCustomer {
    pub id: Uuid,
    pub dealer_id: Uuid,
}

pub const DEMO_CUSTOMERS: [DemoCustomer; 6] = [
    DemoCustomer {
        id: demo_id(0xc01),
        dealer_id: DEALER_A,
    },
    DemoCustomer {
        id: demo_id(0xc02),
        dealer_id: DEALER_A,
    },
    DemoCustomer {
        id: demo_id(0xc03),
        dealer_id: DEALER_A,
    },
    DemoCustomer {
        id: demo_id(0xc04),
        dealer_id: DEALER_A,
    },
    DemoCustomer {
        id: demo_id(0xc05),
        dealer_id: DEALER_B,
    },
    DemoCustomer {
        id: demo_id(0xc06),
        dealer_id: DEALER_B,
    },
];

/// The demo line-up as the manufacturer announces it (`manufacturer.variant_published.v1`):
/// what other modules' seeds pre-fill their catalog copies with, before any event arrives.
pub fn published_variants() -> Vec<crate::events::manufacturer::VariantPublished> {
    use crate::events::manufacturer::{ColourOption, VariantPublished};
    DEMO_VARIANTS
        .iter()
        .filter_map(|v| {
            let model = DEMO_MODELS.iter().find(|m| m.id == v.model_id)?;
            let colours = DEMO_COLOURS
                .iter()
                .filter(|c| c.model_id == v.model_id)
                .map(|c| ColourOption {
                    colour_id: c.id,
                    name: c.name.into(),
                    hex: c.hex.into(),
                    surcharge: c.surcharge,
                })
                .collect();
            Some(VariantPublished {
                variant_id: v.id,
                model_id: v.model_id,
                manufacturer_id: MANUFACTURER,
                model_name: model.name.into(),
                variant_name: v.name.into(),
                segment: model.segment.into(),
                model_year: model.year,
                model_status: "published".into(),
                status: "in_production".into(),
                battery_kwh: 0.0,
                range_km: 0,
                seats: 5,
                drive: String::new(),
                msrp: v.msrp,
                wholesale_price: v.wholesale_price,
                colours,
            })
        })
        .collect()
}

/// One unit of the demo dealers' stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUnit {
    pub vin: String,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// The dealer's unit status: `in_stock`, `in_transit` or `demo`.
    pub status: &'static str,
}

/// The demo dealers' stock: for each dealer and each of four lines, three units in stock, one in
/// transit and one demo car, at the dealer's main showroom. The VINs the dealer seed creates, so
/// other modules' seeds (the customer module's VIN directory) know the same vehicles.
pub fn demo_stock() -> Vec<DemoUnit> {
    let lines = [
        (VARIANT_AURORA_LONG_RANGE, COLOUR_AURORA_WHITE),
        (VARIANT_AURORA_STANDARD, COLOUR_AURORA_BLACK),
        (VARIANT_TERRA_LONG_RANGE, COLOUR_TERRA_GREY),
        (VARIANT_PULSE_CITY, COLOUR_PULSE_WHITE),
    ];
    let dealers = [
        ('A', DEALER_A, DEALER_A_MAIN_BRANCH, 900_001),
        ('B', DEALER_B, DEALER_B_MAIN_BRANCH, 950_001),
    ];
    let mut units = Vec::new();
    for (letter, dealer_id, branch_id, first_serial) in dealers {
        let mut serial = first_serial;
        for (line, (variant_id, colour_id)) in lines.iter().enumerate() {
            for status in ["in_stock", "in_stock", "in_stock", "in_transit", "demo"] {
                let draft = format!("LVD{letter}{}DLR0TA{serial:06}", line + 1);
                serial += 1;
                // The drafts are well-formed: only the check digit is computed.
                let Ok(vin) = crate::Vin::with_check_digit(&draft) else {
                    continue;
                };
                units.push(DemoUnit {
                    vin: vin.into_string(),
                    dealer_id,
                    branch_id,
                    variant_id: *variant_id,
                    colour_id: *colour_id,
                    status,
                });
            }
        }
    }
    units
}

/// Dealer `dealer_id`'s demo car of `variant_id`, if the demo stock has one.
pub fn demo_car(dealer_id: Uuid, variant_id: Uuid) -> Option<DemoUnit> {
    demo_stock()
        .into_iter()
        .find(|u| u.dealer_id == dealer_id && u.variant_id == variant_id && u.status == "demo")
}

#[cfg(test)]
mod published_variants_tests {
    #[test]
    fn every_demo_variant_is_announced_with_its_model_colours() {
        let all = super::published_variants();
        assert_eq!(all.len(), super::DEMO_VARIANTS.len());
        assert!(all.iter().all(|v| !v.colours.is_empty()));
    }

    #[test]
    fn the_demo_stock_has_valid_distinct_vins_and_a_demo_car_per_line() {
        let stock = super::demo_stock();
        assert_eq!(stock.len(), 2 * 4 * 5);
        let vins: std::collections::HashSet<_> = stock.iter().map(|u| u.vin.as_str()).collect();
        assert_eq!(vins.len(), stock.len());
        assert!(stock.iter().all(|u| crate::Vin::parse(&u.vin).is_ok()));
        assert!(super::demo_car(super::DEALER_B, super::VARIANT_PULSE_CITY).is_some());
        assert!(super::demo_car(super::DEALER_A, super::VARIANT_TERRA_MAX).is_none());
    }
}
