//! sea-orm entities of the `manufacturer` schema and the queries that need more than one line.

pub mod catalog;
pub mod finance;
pub mod orders;
pub mod promotions;
pub mod stock;

pub use catalog::{colours, manufacturers, price_history, variants, vehicle_models};
pub use finance::{dealer_contracts, dealer_invoices, dealer_payments};
pub use orders::{dealer_order_lines, dealer_orders};
pub use stock::{oem_stock, stock_ledger, stock_thresholds};
