//! Dealer rules that need no database: retail pricing, instalment schedules, lifecycles.

pub mod lifecycle;
pub mod pricing;
pub mod schedule;
