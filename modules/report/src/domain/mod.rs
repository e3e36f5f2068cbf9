//! Pure rules of the report module: facts from events, periods, debts, the funnel, CSV cells,
//! and the demand forecast. No HTTP, no database.

pub mod csv;
pub mod debts;
pub mod facts;
pub mod forecast;
pub mod funnel;
pub mod period;
