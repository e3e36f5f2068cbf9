//! Where the read models live: one [`ReportStore`] trait, a SQL implementation in the module's
//! schema (the default), a MongoDB implementation (when `analytics.mongo_url` is set), the
//! [`contract`] both pass, and the queue of facts between the event handlers and the store.

pub mod contract;
pub mod forecast_runs;
pub mod mongo;
pub mod queue;
pub mod sql;

use crate::domain::{facts::Fact, period::Interval};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::WriteTxn;
use uuid::Uuid;

/// Whose figures a query may see: the network (both `None`), one dealer, or one salesperson.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub dealer_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
}

/// The dimension sales are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Dealer,
    Region,
    Branch,
    Salesperson,
    Variant,
    Model,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "dealer" => GroupBy::Dealer,
            "region" => GroupBy::Region,
            "branch" => GroupBy::Branch,
            "salesperson" => GroupBy::Salesperson,
            "variant" => GroupBy::Variant,
            "model" => GroupBy::Model,
            _ => return None,
        })
    }

    pub fn column(self) -> &'static str {
        match self {
            GroupBy::Dealer => "dealer_id",
            GroupBy::Region => "region",
            GroupBy::Branch => "branch_id",
            GroupBy::Salesperson => "staff_id",
            GroupBy::Variant => "variant_id",
            GroupBy::Model => "model_id",
        }
    }

    /// Whether the product rollup (dealer, region, variant, model) carries this dimension.
    pub fn in_product_rollup(self) -> bool {
        matches!(
            self,
            GroupBy::Dealer | GroupBy::Region | GroupBy::Variant | GroupBy::Model
        )
    }

    /// Whether the seller rollup (dealer, region, branch, salesperson) carries it.
    pub fn in_seller_rollup(self) -> bool {
        matches!(
            self,
            GroupBy::Dealer | GroupBy::Region | GroupBy::Branch | GroupBy::Salesperson
        )
    }
}

/// Optional narrowing of a sales query, beyond the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesFilter {
    pub region: Option<String>,
    pub branch_id: Option<Uuid>,
    pub variant_id: Option<Uuid>,
    pub model_id: Option<Uuid>,
}

/// Which table answers a sales query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesSource {
    ByProduct,
    BySeller,
    /// The facts themselves, by day (when no rollup carries every dimension asked for).
    Facts,
}

/// One slice of a sales query: a source at one grain over whole buckets.
#[derive(Debug, Clone)]
pub struct SalesSlice {
    pub source: SalesSource,
    pub grain: Interval,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Option<GroupBy>,
    pub scope: Scope,
    pub filter: SalesFilter,
}

/// Summed measures, money in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measures {
    pub units: i64,
    pub revenue: i64,
    pub discount: i64,
    pub cost: i64,
    pub margin: i64,
}

impl Measures {
    pub fn add(&mut self, other: &Measures) {
        self.units = self.units.saturating_add(other.units);
        self.revenue = self.revenue.saturating_add(other.revenue);
        self.discount = self.discount.saturating_add(other.discount);
        self.cost = self.cost.saturating_add(other.cost);
        self.margin = self.margin.saturating_add(other.margin);
    }
}

/// Sales of one group in one bucket (`key` is the group's id or region; `""` when ungrouped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesRow {
    pub period: NaiveDate,
    pub key: String,
    pub measures: Measures,
}

/// Dealer-side units of one dealer and variant, counted as of `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitCounts {
    pub dealer_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub allocated: i64,
    pub in_transit: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub aged_0_30: i64,
    pub aged_31_60: i64,
    pub aged_61_90: i64,
    pub aged_90_plus: i64,
    /// Sold (dealer side) or shipped (OEM side) since the window start.
    pub moved_in_window: i64,
    pub days_in_stock_sum: i64,
    pub days_in_stock_count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelCounts {
    pub created: i64,
    /// Leads that reached each stage of `domain::funnel::STAGES` (or beyond).
    pub reached: [i64; 6],
    pub lost: i64,
    pub test_drives_scheduled: i64,
    pub test_drives_completed: i64,
    pub test_drive_customers: i64,
    pub test_drive_customers_who_bought: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceBalance {
    pub invoice_id: Uuid,
    pub dealer_id: Uuid,
    pub number: String,
    pub amount: i64,
    pub paid: i64,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBalance {
    pub order_id: Uuid,
    pub dealer_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub payable: i64,
    pub paid: i64,
    pub instalments: Vec<(NaiveDate, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub dealer_id: Uuid,
    pub period: String,
    pub units: i64,
    pub revenue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionUse {
    pub promotion_id: Uuid,
    pub name: String,
    pub source: String,
    pub sales: i64,
    pub discount: i64,
}

/// Orders opened, approved, cancelled and delivered in a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineCounts {
    pub created: i64,
    pub approved: i64,
    pub cancelled: i64,
    pub delivered: i64,
    /// Created before the range end and neither cancelled nor delivered by then.
    pub open: i64,
}

/// Weekly units of one series (a variant, network-wide or at one dealer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyDemand {
    pub variant_id: Uuid,
    pub dealer_id: Option<Uuid>,
    pub week: NaiveDate,
    pub units: i64,
}

/// Labels of the ids a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    Dealers,
    Branches,
    Staff,
    Variants,
    Models,
}

/// The report read models, in SQL (default) or another store chosen by config.
#[async_trait::async_trait]
pub trait ReportStore: Send + Sync {
    fn backend(&self) -> &'static str;

    /// Whether the store lives in the module's SQL database, so facts are applied in the same
    /// transaction that takes them off the queue. Other stores must apply idempotently.
    fn shares_database(&self) -> bool;

    /// Applies facts in order; applying the same fact again has no further effect.
    async fn apply(&self, txn: Option<&WriteTxn>, facts: &[Fact]) -> anyhow::Result<()>;

    async fn sales(&self, slice: &SalesSlice) -> anyhow::Result<Vec<SalesRow>>;

    async fn units(
        &self,
        scope: Scope,
        oem_side: bool,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> anyhow::Result<Vec<UnitCounts>>;

    async fn funnel(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<FunnelCounts>;

    async fn pipeline(
        &self,
        scope: Scope,
        kind: crate::domain::facts::OrderKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<PipelineCounts>;

    async fn invoice_balances(
        &self,
        dealer_id: Option<Uuid>,
    ) -> anyhow::Result<Vec<InvoiceBalance>>;

    async fn order_balances(&self, scope: Scope) -> anyhow::Result<Vec<OrderBalance>>;

    async fn targets(
        &self,
        dealer_id: Option<Uuid>,
        from_period: &str,
        to_period: &str,
    ) -> anyhow::Result<Vec<TargetRow>>;

    async fn promotion_uses(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<Vec<PromotionUse>>;

    async fn weekly_demand(&self, per_dealer: bool) -> anyhow::Result<Vec<WeeklyDemand>>;

    /// The dealer each of the given salespeople works for (unknown ones are left out).
    async fn staff_dealers(
        &self,
        ids: &[Uuid],
    ) -> anyhow::Result<std::collections::HashMap<Uuid, Uuid>>;

    /// Names of the given ids (unknown ids are left out).
    async fn labels(
        &self,
        directory: Directory,
        ids: &[Uuid],
    ) -> anyhow::Result<std::collections::HashMap<Uuid, String>>;
}
