//! Pure rules of the dealer module, tested without a database or HTTP: typed states and their
//! lifecycles, retail pricing and discounts, promotions, payments and instalment schedules.

pub mod catalog;
pub mod dealers;
pub mod discounts;
pub mod documents;
pub mod inventory;
pub mod payments;
pub mod pricing;
pub mod promotions;
pub mod quotations;
pub mod sale_contracts;
pub mod sales_orders;
pub mod schedule;
pub mod time_zone;
