//! Application services of the report module: one function per report, each taking the
//! caller's scope and reading through the store.

pub mod dashboard;
pub mod debts;
pub mod forecasting;
pub mod funnel;
pub mod inventory;
pub mod labels;
pub mod projector;
pub mod sales;
pub mod scope;
pub mod targets;

use crate::store::ReportStore;
use kernel::Db;
use std::sync::Arc;

/// What the report services share.
pub struct Reports {
    pub db: Db,
    pub store: Arc<dyn ReportStore>,
    pub currency: String,
    /// Dashboards, per caller scope (Redis or in-process).
    pub cache: Arc<dyn kernel::cache::Cache>,
    pub dashboard_ttl: std::time::Duration,
}
