//! Raw SQL for the event tables, written once with `$n` placeholders.

use sea_orm::{DbBackend, Statement, Value};

/// Builds a statement, turning `$n` into SQLite's `?n` (same numbering, explicit index).
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}
