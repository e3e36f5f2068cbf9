//! Free-text `q` on the module's lists: a case-insensitive "contains" over a few text columns,
//! with LIKE's metacharacters taken literally.

use sea_orm::{
    sea_query::{SelectStatement, SimpleExpr},
    ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

/// `q` trimmed, or `None` when there is nothing to search for.
pub fn term(q: Option<&str>) -> Option<&str> {
    q.map(str::trim).filter(|q| !q.is_empty())
}

/// `column` contains `q`, ignoring case (kernel's LIKE escaping: metacharacters are literal).
pub fn contains(column: impl ColumnTrait, q: &str) -> SimpleExpr {
    kernel::store::contains_ignoring_case(column.into_expr(), q)
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

    #[test]
    fn metacharacters_match_only_themselves() {
        let query = Query::select()
            .column(Alias::new("a"))
            .from(Alias::new("t"))
            .and_where(contains(
                super::super::customers::Column::SearchName,
                "50%_Off\\",
            ))
            .to_owned();
        let postgres = query.to_string(PostgresQueryBuilder);
        // Postgres spells the backslashes as escape-string literals.
        assert!(
            postgres.contains(r"LIKE E'%50\\%\\_off\\\\%' ESCAPE E'\\'"),
            "{postgres}"
        );
        assert!(query.to_string(SqliteQueryBuilder).contains("ESCAPE"));
    }
}
