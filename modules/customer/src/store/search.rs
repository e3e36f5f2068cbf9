//! Free-text `q` on the module's lists: a case-insensitive "contains" over a few text columns,
//! with LIKE's metacharacters taken literally.

use sea_orm::{
    sea_query::{Expr, Func, LikeExpr, SelectStatement, SimpleExpr},
    ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

/// The escape character of the patterns [`like_contains`] makes.
const ESCAPE: char = '\\';

/// A LIKE pattern matching any text that contains `text` (lower-cased): `%`, `_` and the escape
/// character in `text` match only themselves.
pub fn like_contains(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_') || c == ESCAPE {
            pattern.push(ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape(ESCAPE)
}

/// `q` trimmed, or `None` when there is nothing to search for.
pub fn term(q: Option<&str>) -> Option<&str> {
    q.map(str::trim).filter(|q| !q.is_empty())
}

/// `lower(column)` contains `q`.
pub fn contains(column: impl ColumnTrait, q: &str) -> SimpleExpr {
    Expr::expr(Func::lower(column.into_expr())).like(like_contains(q))
}

/// Any of `columns` contains `q`.
pub fn any_contains<C: ColumnTrait>(columns: impl IntoIterator<Item = C>, q: &str) -> Condition {
    columns
        .into_iter()
        .fold(Condition::any(), |any, column| any.add(contains(column, q)))
}

/// The ids of the customers whose name contains `q`, for lists of their records.
pub fn customers_named(q: &str) -> SelectStatement {
    use super::customers::{Column, Entity};
    Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(contains(Column::SearchName, q))
        .into_query()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, PostgresQueryBuilder, Query, SqliteQueryBuilder};

    fn sql(like: LikeExpr) -> (String, String) {
        let query = Query::select()
            .column(Alias::new("a"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("a")).like(like))
            .to_owned();
        (
            query.to_string(PostgresQueryBuilder),
            query.to_string(SqliteQueryBuilder),
        )
    }

    #[test]
    fn metacharacters_match_only_themselves() {
        let (postgres, sqlite) = sql(like_contains("50%_Off\\"));
        // Postgres spells the backslashes as escape-string literals.
        assert!(
            postgres.contains(r"LIKE E'%50\\%\\_off\\\\%' ESCAPE E'\\'"),
            "{postgres}"
        );
        assert!(sqlite.contains("ESCAPE"), "{sqlite}");
    }
}
