//! The read models in MongoDB (official driver), chosen when `analytics.mongo_url` is set: one
//! collection per read model (`report_*`), indexes made before the first use, facts applied
//! idempotently and reads as aggregation pipelines mirroring the SQL queries.
//!
//! The projector applies facts here outside any database transaction and takes them off the
//! SQL queue only afterwards, so the same facts may arrive twice: directory and state facts are
//! upserts keyed by their natural id, a sale is inserted once under `_id = order_id`, and the
//! rollups are recomputed from the sales of every bucket a batch touched (never incremented).
//!
//! Representation: ids are UUID strings, days `YYYY-MM-DD` strings (ordered as text), instants
//! epoch milliseconds (`*_ms`), money integer minor units.

mod apply;
mod fields;
mod read;
mod read_more;
mod rollup;

use super::{
    Directory, FunnelCounts, InvoiceBalance, OrderBalance, PipelineCounts, PromotionUse,
    ReportStore, SalesRow, SalesSlice, Scope, TargetRow, UnitCounts, WeeklyDemand,
};
use crate::domain::facts::{Fact, OrderKind};
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use fields::*;
use kernel::WriteTxn;
use mongodb::{
    bson::{doc, Document},
    options::ClientOptions,
    Client, Collection, Database, IndexModel,
};
use std::{collections::HashMap, time::Duration};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The database when the URL names none.
const DEFAULT_DATABASE: &str = "evdms";
/// How long an operation waits for a server before failing (the facts then stay queued), unless
/// the settings say otherwise.
const SERVER_TIMEOUT: Duration = Duration::from_secs(2);

/// The collections, one per read model.
pub(crate) struct Collections {
    pub dealers: Collection<Document>,
    pub branches: Collection<Document>,
    pub staff: Collection<Document>,
    pub variants: Collection<Document>,
    pub promotions: Collection<Document>,
    pub targets: Collection<Document>,
    pub sales: Collection<Document>,
    pub by_product: Collection<Document>,
    pub by_seller: Collection<Document>,
    pub sale_promotions: Collection<Document>,
    pub orders: Collection<Document>,
    pub customer_payments: Collection<Document>,
    pub units: Collection<Document>,
    pub leads: Collection<Document>,
    pub test_drives: Collection<Document>,
    pub dealer_invoices: Collection<Document>,
    pub dealer_payments: Collection<Document>,
}

impl Collections {
    fn new(db: &Database) -> Self {
        let c = |name: &str| db.collection::<Document>(&format!("report_{name}"));
        Self {
            dealers: c("dealers"),
            branches: c("branches"),
            staff: c("staff"),
            variants: c("variants"),
            promotions: c("promotions"),
            targets: c("targets"),
            sales: c("sales"),
            by_product: c("sales_by_product"),
            by_seller: c("sales_by_seller"),
            sale_promotions: c("sale_promotions"),
            orders: c("orders"),
            customer_payments: c("customer_payments"),
            units: c("units"),
            leads: c("leads"),
            test_drives: c("test_drives"),
            dealer_invoices: c("dealer_invoices"),
            dealer_payments: c("dealer_payments"),
        }
    }

    /// The indexes the applies and reads filter by.
    async fn create_indexes(&self) -> anyhow::Result<()> {
        let plan: [(&Collection<Document>, &[Document]); 12] = [
            (
                &self.sales,
                &[
                    doc! { "dealer_id": 1, "day": 1 },
                    doc! { "staff_id": 1, "day": 1 },
                    doc! { "customer_id": 1, "day": 1 },
                    doc! { "day": 1 },
                    doc! { "week": 1, "dealer_id": 1 },
                    doc! { "month": 1, "dealer_id": 1 },
                ],
            ),
            (
                &self.by_product,
                &[
                    doc! { "grain": 1, "period": 1, "dealer_id": 1 },
                    doc! { "grain": 1, "dealer_id": 1, "period": 1 },
                ],
            ),
            (
                &self.by_seller,
                &[
                    doc! { "grain": 1, "period": 1, "dealer_id": 1 },
                    doc! { "grain": 1, "staff_id": 1, "period": 1 },
                ],
            ),
            (&self.sale_promotions, &[doc! { "day": 1, "dealer_id": 1 }]),
            (
                &self.orders,
                &[doc! { "kind": 1, "dealer_id": 1, "created_on": 1 }],
            ),
            (&self.customer_payments, &[doc! { "order_id": 1 }]),
            (&self.dealer_payments, &[doc! { "invoice_id": 1 }]),
            (
                &self.dealer_invoices,
                &[doc! { "dealer_id": 1, "due_date": 1 }],
            ),
            (
                &self.units,
                &[
                    doc! { "dealer_id": 1, "variant_id": 1 },
                    doc! { "sold_ms": 1 },
                ],
            ),
            (
                &self.leads,
                &[
                    doc! { "dealer_id": 1, "created_on": 1 },
                    doc! { "owner_id": 1 },
                ],
            ),
            (
                &self.test_drives,
                &[
                    doc! { "dealer_id": 1, "scheduled_on": 1 },
                    doc! { "completed_on": 1 },
                ],
            ),
            (&self.targets, &[doc! { "period": 1, "dealer_id": 1 }]),
        ];
        for (collection, keys) in plan {
            let models = keys
                .iter()
                .map(|k| IndexModel::builder().keys(k.clone()).build());
            collection
                .create_indexes(models)
                .await
                .with_context(|| format!("creating the indexes of {}", collection.name()))?;
        }
        Ok(())
    }
}

pub struct MongoReports {
    database: Database,
    c: Collections,
    indexed: OnceCell<()>,
}

impl MongoReports {
    /// A store on `url` (`database` overrides the one the URL names; tests give each run its
    /// own). Does not wait for the server: the indexes are made before the first operation, and
    /// every operation gives up after [`SERVER_TIMEOUT`] while the server is away.
    pub async fn open(url: &str, database: Option<&str>) -> anyhow::Result<Self> {
        Self::open_with_timeout(url, database, SERVER_TIMEOUT).await
    }

    /// [`open`](Self::open) with the server selection and connect timeout of the settings
    /// (`analytics.mongo_timeout_ms`).
    pub async fn open_with_timeout(
        url: &str,
        database: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let mut options = ClientOptions::parse(url)
            .await
            .context("analytics.mongo_url is not a usable MongoDB URL")?;
        options.server_selection_timeout = Some(timeout);
        options.connect_timeout = Some(timeout);
        options
            .app_name
            .get_or_insert_with(|| "evdms-report".to_owned());
        let client = Client::with_options(options)?;
        let database = match database {
            Some(name) => client.database(name),
            None => client
                .default_database()
                .unwrap_or_else(|| client.database(DEFAULT_DATABASE)),
        };
        let c = Collections::new(&database);
        Ok(Self {
            database,
            c,
            indexed: OnceCell::new(),
        })
    }

    /// [`open`](Self::open), then checks the server answers and makes the indexes.
    pub async fn connect(url: &str, database: Option<&str>) -> anyhow::Result<Self> {
        let store = Self::open(url, database).await?;
        store.ready().await?;
        Ok(store)
    }

    /// Pings the server and makes sure the indexes exist (once per process).
    pub async fn ready(&self) -> anyhow::Result<()> {
        self.indexed
            .get_or_try_init(|| async {
                self.database
                    .run_command(doc! { "ping": 1 })
                    .await
                    .context("MongoDB at analytics.mongo_url does not answer")?;
                self.c.create_indexes().await
            })
            .await?;
        Ok(())
    }

    pub fn database(&self) -> &Database {
        &self.database
    }
}

#[async_trait::async_trait]
impl ReportStore for MongoReports {
    fn backend(&self) -> &'static str {
        "mongodb"
    }

    fn shares_database(&self) -> bool {
        false
    }

    /// The SQL transaction (if any) is not used: the projector calls this outside one.
    #[tracing::instrument(skip_all, fields(facts = facts.len()))]
    async fn apply(&self, _txn: Option<&WriteTxn>, facts: &[Fact]) -> anyhow::Result<()> {
        self.ready().await?;
        let mut touched = rollup::Touched::default();
        for fact in facts {
            apply::apply(&self.c, fact, &mut touched).await?;
        }
        rollup::recompute(&self.c, &touched).await
    }

    async fn sales(&self, slice: &SalesSlice) -> anyhow::Result<Vec<SalesRow>> {
        self.ready().await?;
        read::sales(&self.c, slice).await
    }

    async fn units(
        &self,
        scope: Scope,
        oem_side: bool,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> anyhow::Result<Vec<UnitCounts>> {
        self.ready().await?;
        read::units(&self.c, scope, oem_side, now, window_start).await
    }

    async fn funnel(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<FunnelCounts> {
        self.ready().await?;
        read::funnel(&self.c, scope, from, to).await
    }

    async fn pipeline(
        &self,
        scope: Scope,
        kind: OrderKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<PipelineCounts> {
        self.ready().await?;
        read::pipeline(&self.c, scope, kind, from, to).await
    }

    async fn invoice_balances(
        &self,
        dealer_id: Option<Uuid>,
    ) -> anyhow::Result<Vec<InvoiceBalance>> {
        self.ready().await?;
        read_more::invoice_balances(&self.c, dealer_id).await
    }

    async fn order_balances(&self, scope: Scope) -> anyhow::Result<Vec<OrderBalance>> {
        self.ready().await?;
        read_more::order_balances(&self.c, scope).await
    }

    async fn targets(
        &self,
        dealer_id: Option<Uuid>,
        from_period: &str,
        to_period: &str,
    ) -> anyhow::Result<Vec<TargetRow>> {
        self.ready().await?;
        read_more::targets(&self.c, dealer_id, from_period, to_period).await
    }

    async fn promotion_uses(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<Vec<PromotionUse>> {
        self.ready().await?;
        read_more::promotion_uses(&self.c, scope, from, to).await
    }

    async fn weekly_demand(&self, per_dealer: bool) -> anyhow::Result<Vec<WeeklyDemand>> {
        self.ready().await?;
        read_more::weekly_demand(&self.c, per_dealer).await
    }

    async fn staff_dealers(&self, ids: &[Uuid]) -> anyhow::Result<HashMap<Uuid, Uuid>> {
        self.ready().await?;
        read_more::staff_dealers(&self.c, ids).await
    }

    async fn labels(
        &self,
        directory: Directory,
        ids: &[Uuid],
    ) -> anyhow::Result<HashMap<Uuid, String>> {
        self.ready().await?;
        read_more::labels(&self.c, directory, ids).await
    }
}
