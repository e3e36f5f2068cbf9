//! Fixed ids of the demo data, so every module's seed refers to the same dealers.

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
