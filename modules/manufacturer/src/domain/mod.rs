//! Manufacturer rules that need no database: lifecycles, pricing, debt aging.

pub mod aging;
pub mod lifecycle;
pub mod pricing;
