//! The fact queue: event handlers append facts here inside their inbox transaction (a local
//! insert, never a call to another store), and the projector moves them into the store.

use super::sql::stmt;
use crate::domain::facts::Fact;
use kernel::{Db, WriteTxn};
use sea_orm::{ConnectionTrait, DbBackend, Value};

/// Appends facts to the queue, in the caller's transaction.
pub async fn enqueue(txn: &WriteTxn, facts: &[Fact]) -> anyhow::Result<()> {
    let backend = txn.get_database_backend();
    let now = chrono::Utc::now();
    for fact in facts {
        let json = serde_json::to_value(fact)?;
        let sql = "INSERT INTO \"report\".\"fact_queue\" (fact, queued_at) VALUES (?, ?)";
        let fact_value = match backend {
            DbBackend::Postgres => Value::Json(Some(Box::new(json))),
            _ => Value::from(json.to_string()),
        };
        txn.execute(stmt(backend, sql, vec![fact_value, now.into()]))
            .await?;
    }
    Ok(())
}

/// Facts waiting, oldest first: (seq, fact). On Postgres the rows stay locked by `txn` so two
/// projectors never take the same facts.
pub async fn claim(
    conn: &impl ConnectionTrait,
    limit: u64,
    lock: bool,
) -> anyhow::Result<Vec<(i64, Fact)>> {
    let backend = conn.get_database_backend();
    let sql = match (backend, lock) {
        (DbBackend::Postgres, true) => format!(
            "SELECT seq, fact FROM \"report\".\"fact_queue\" ORDER BY seq LIMIT {limit} FOR UPDATE SKIP LOCKED"
        ),
        _ => format!("SELECT seq, fact FROM \"report\".\"fact_queue\" ORDER BY seq LIMIT {limit}"),
    };
    let rows = conn.query_all(stmt(backend, &sql, vec![])).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let seq: i64 = row.try_get("", "seq")?;
        let fact: Fact = match backend {
            DbBackend::Postgres => serde_json::from_value(row.try_get("", "fact")?)?,
            _ => serde_json::from_str(&row.try_get::<String>("", "fact")?)?,
        };
        out.push((seq, fact));
    }
    Ok(out)
}

/// Removes the facts that were applied.
pub async fn remove(conn: &impl ConnectionTrait, seqs: &[i64]) -> anyhow::Result<()> {
    if seqs.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let list = seqs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    conn.execute(stmt(
        backend,
        &format!("DELETE FROM \"report\".\"fact_queue\" WHERE seq IN ({list})"),
        vec![],
    ))
    .await?;
    Ok(())
}

/// How many facts wait, and the age in seconds of the oldest (for `/ready`-style lag checks).
pub async fn depth(db: &Db) -> anyhow::Result<i64> {
    let backend = db.backend();
    let row = db
        .conn()
        .query_one(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM \"report\".\"fact_queue\"",
            vec![],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}
