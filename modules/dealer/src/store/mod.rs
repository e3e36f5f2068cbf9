//! sea-orm entities of the `dealer` schema.

pub mod copies;
pub mod network;
pub mod sales;

pub use copies::{catalog_variants, known_customers, oem_promotions};
pub use network::{branches, dealer_promotions, dealers, inventory_units, sales_targets, staff};
pub use sales::{contracts, customer_payments, instalments, quotations, sales_orders};
