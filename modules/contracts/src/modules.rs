//! The six modules of the product and the Postgres schema each one owns.

/// Every module, in start-up order. The schema name equals the module name.
pub const ALL: [&str; 6] = [AUTH, DEALER, CUSTOMER, MANUFACTURER, REPORT, NOTIFICATION];

pub const AUTH: &str = "auth";
pub const DEALER: &str = "dealer";
pub const CUSTOMER: &str = "customer";
pub const MANUFACTURER: &str = "manufacturer";
pub const REPORT: &str = "report";
pub const NOTIFICATION: &str = "notification";
