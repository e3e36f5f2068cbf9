//! Manufacturer rules that need no database: lifecycles, pricing, debt aging.

pub mod aging;
pub mod catalog;
pub mod lifecycle;
pub mod pricing;
pub mod promotions;
