//! Dealer rules that need no database: retail pricing, instalment schedules, lifecycles.

pub mod lifecycle;
pub mod pricing;
pub mod schedule;
pub mod time_zone;
