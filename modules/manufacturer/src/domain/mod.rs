//! Manufacturer rules that need no database: lifecycles, pricing, debt aging.

pub mod aging;
pub mod catalog;
pub mod credit;
pub mod dealer_contracts;
pub mod lifecycle;
pub mod orders;
pub mod pricing;
pub mod promotions;
pub mod stock;
