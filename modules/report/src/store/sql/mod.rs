//! The read models in the `report` schema (SQLite or Postgres): facts, rollups and state, all
//! written by [`apply`] and read by [`read`].

mod apply;
mod read;

use super::{
    Directory, FunnelCounts, InvoiceBalance, OrderBalance, PipelineCounts, PromotionUse,
    ReportStore, SalesRow, SalesSlice, Scope, TargetRow, UnitCounts, WeeklyDemand,
};
use crate::domain::facts::{Fact, OrderKind};
use chrono::{DateTime, NaiveDate, Utc};
use kernel::{Db, WriteTxn};
use sea_orm::{DbBackend, Statement, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Stands in for an unknown branch or model in rollup keys (keys can't be NULL).
pub const NIL: Uuid = Uuid::nil();

/// A statement written with `?` placeholders, numbered `$n` for Postgres.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub struct SqlReports {
    db: Db,
}

impl SqlReports {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl ReportStore for SqlReports {
    fn backend(&self) -> &'static str {
        "sql"
    }

    fn shares_database(&self) -> bool {
        true
    }

    #[tracing::instrument(skip_all, fields(facts = facts.len()))]
    async fn apply(&self, txn: Option<&WriteTxn>, facts: &[Fact]) -> anyhow::Result<()> {
        match txn {
            Some(txn) => {
                for fact in facts {
                    apply::apply(&**txn, fact).await?;
                }
            }
            None => {
                let txn = self.db.begin().await?;
                for fact in facts {
                    apply::apply(&*txn, fact).await?;
                }
                txn.commit().await?;
            }
        }
        Ok(())
    }

    async fn sales(&self, slice: &SalesSlice) -> anyhow::Result<Vec<SalesRow>> {
        read::sales(self.db.conn(), slice).await
    }

    async fn units(
        &self,
        scope: Scope,
        oem_side: bool,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> anyhow::Result<Vec<UnitCounts>> {
        read::units(self.db.conn(), scope, oem_side, now, window_start).await
    }

    async fn funnel(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<FunnelCounts> {
        read::funnel(self.db.conn(), scope, from, to).await
    }

    async fn pipeline(
        &self,
        scope: Scope,
        kind: OrderKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<PipelineCounts> {
        read::pipeline(self.db.conn(), scope, kind, from, to).await
    }

    async fn invoice_balances(
        &self,
        dealer_id: Option<Uuid>,
    ) -> anyhow::Result<Vec<InvoiceBalance>> {
        read::invoice_balances(self.db.conn(), dealer_id).await
    }

    async fn order_balances(&self, scope: Scope) -> anyhow::Result<Vec<OrderBalance>> {
        read::order_balances(self.db.conn(), scope).await
    }

    async fn targets(
        &self,
        dealer_id: Option<Uuid>,
        from_period: &str,
        to_period: &str,
    ) -> anyhow::Result<Vec<TargetRow>> {
        read::targets(self.db.conn(), dealer_id, from_period, to_period).await
    }

    async fn promotion_uses(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<Vec<PromotionUse>> {
        read::promotion_uses(self.db.conn(), scope, from, to).await
    }

    async fn weekly_demand(&self, per_dealer: bool) -> anyhow::Result<Vec<WeeklyDemand>> {
        read::weekly_demand(self.db.conn(), per_dealer).await
    }

    async fn staff_dealers(&self, ids: &[Uuid]) -> anyhow::Result<HashMap<Uuid, Uuid>> {
        read::staff_dealers(self.db.conn(), ids).await
    }

    async fn labels(
        &self,
        directory: Directory,
        ids: &[Uuid],
    ) -> anyhow::Result<HashMap<Uuid, String>> {
        read::labels(self.db.conn(), directory, ids).await
    }
}
