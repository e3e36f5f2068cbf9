//! List parameters (`?page=1&pageSize=20&sort=-createdAt,name&q=text`) and the list envelope.

use crate::error::FieldError;
use crate::rules::DomainError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryOrder,
    Select,
};
use serde::{Deserialize, Serialize};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest `pageSize`; larger values are refused (422), not clamped.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The largest `page`: with [`MAX_PAGE_SIZE`] the offset stays far inside every integer type a
/// database binds (the edge refuses more with 422; see `kernel::input`).
pub const MAX_PAGE: u64 = 1_000_000;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number, from 1 to 1000000 (default 1); outside that range 422.
    #[serde(default, deserialize_with = "number_or_string")]
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Items per page, from 1 to 100 (default 20); outside that range 422.
    #[serde(default, deserialize_with = "number_or_string")]
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u64>,
    /// Comma-separated fields; `-` for descending, e.g. `-createdAt,name`.
    pub sort: Option<String>,
    /// Free-text search.
    pub q: Option<String>,
}

/// Accepts `5` or `"5"`: under `#[serde(flatten)]` query strings arrive as strings.
pub fn number_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Text(String),
    }
    match Option::<Raw>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Raw::Text(t)) => {
            t.trim().parse().map(Some).map_err(|_| {
                serde::de::Error::custom(format!("`{t}` is not a non-negative integer"))
            })
        }
    }
}

/// Like [`number_or_string`] for booleans (`true`/`false`).
pub fn bool_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    match Option::<Raw>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Raw::Bool(b)) => Ok(Some(b)),
        Some(Raw::Text(t)) => match t.trim() {
            "" => Ok(None),
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            other => Err(serde::de::Error::custom(format!(
                "`{other}` is not true or false"
            ))),
        },
    }
}

impl ListParams {
    /// The page (1-based). Out-of-range values never reach here over HTTP (the edge answers
    /// 422); callers inside the process still get a bounded value, so no offset can overflow.
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).clamp(1, MAX_PAGE)
    }

    /// The page size, bounded like [`Self::page`].
    pub fn page_size(&self) -> u64 {
        self.page_size
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE)
    }

    /// The search text, trimmed, if any.
    pub fn query(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// Parses `sort` against the sortable fields (API name → column). Unknown fields → 422.
    pub fn sort_by<C: Copy>(&self, allowed: &[(&str, C)]) -> Result<Vec<(C, Order)>, DomainError> {
        let Some(sort) = self.sort.as_deref() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for part in sort.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, order) = match part.strip_prefix('-') {
                Some(field) => (field, Order::Desc),
                None => (part.strip_prefix('+').unwrap_or(part), Order::Asc),
            };
            let column = allowed
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, c)| *c)
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                    DomainError::Invalid(vec![FieldError::new(
                        "sort",
                        format!("cannot sort by `{field}`; sortable: {}", names.join(", ")),
                    )])
                })?;
            out.push((column, order));
        }
        Ok(out)
    }

    /// Applies the sort (or `default`) to `select`, then fetches the requested page and total.
    pub async fn fetch<E, M, C>(
        &self,
        db: &impl ConnectionTrait,
        select: Select<E>,
        sortable: &[(&str, C)],
        default: (C, Order),
        tie_breaker: C,
    ) -> Result<Page<M>, DomainError>
    where
        E: EntityTrait<Model = M>,
        M: FromQueryResult + Sized + Send + Sync,
        C: ColumnTrait + Copy,
    {
        let mut sort = self.sort_by(sortable)?;
        if sort.is_empty() {
            sort.push(default);
        }
        // A unique last key keeps pages stable when sort values repeat. It runs the way the last
        // sort key runs, so an index on (…, key, tie_breaker) serves the order in either direction.
        let tie_order = sort.last().map_or(Order::Asc, |(_, order)| order.clone());
        let mut select = select;
        for (column, order) in sort {
            select = select.order_by(column, order);
        }
        select = select.order_by(tie_breaker, tie_order);
        let paginator = select.paginate(db, self.page_size());
        let total = paginator.num_items().await?;
        let items = paginator.fetch_page(self.page() - 1).await?;
        Ok(Page {
            items,
            page: self.page(),
            page_size: self.page_size(),
            total,
        })
    }
}

/// `{ "items": [...], "page": 1, "pageSize": 20, "total": 137 }`
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            page_size: self.page_size,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Col {
        Name,
        Created,
    }

    #[test]
    fn page_size_is_capped_and_page_is_one_based() {
        let params = ListParams {
            page: Some(0),
            page_size: Some(10_000),
            ..Default::default()
        };
        assert_eq!(params.page(), 1);
        assert_eq!(params.page_size(), MAX_PAGE_SIZE);
        let huge = ListParams {
            page: Some(u64::MAX),
            ..Default::default()
        };
        assert_eq!(huge.page(), MAX_PAGE);
        assert!((huge.page() - 1)
            .checked_mul(MAX_PAGE_SIZE)
            .is_some_and(|offset| i64::try_from(offset).is_ok()));
    }

    #[test]
    fn sort_parses_directions_and_rejects_unknown_fields() {
        let allowed = [("name", Col::Name), ("createdAt", Col::Created)];
        let params = ListParams {
            sort: Some("-createdAt, name".into()),
            ..Default::default()
        };
        let sort = params.sort_by(&allowed).unwrap();
        assert_eq!(sort.len(), 2);
        assert_eq!(sort[0].0, Col::Created);
        assert!(matches!(sort[0].1, Order::Desc));
        assert!(matches!(sort[1].1, Order::Asc));
        let bad = ListParams {
            sort: Some("password".into()),
            ..Default::default()
        };
        assert!(matches!(
            bad.sort_by(&allowed),
            Err(DomainError::Invalid(errors)) if errors[0].field == "sort"
        ));
    }
}
