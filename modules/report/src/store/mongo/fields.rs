//! Field conversions and query helpers shared by the apply and read halves: ids as UUID
//! strings, days as `YYYY-MM-DD`, instants as epoch milliseconds, integers however the server
//! typed them.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use mongodb::{
    bson::{Bson, Document},
    Collection,
};
use uuid::Uuid;

pub(crate) fn id(u: Uuid) -> Bson {
    Bson::String(u.to_string())
}

pub(crate) fn opt_id(u: Option<Uuid>) -> Bson {
    u.map_or(Bson::Null, id)
}

pub(crate) fn day(d: NaiveDate) -> Bson {
    Bson::String(d.to_string())
}

pub(crate) fn ms(at: DateTime<Utc>) -> Bson {
    Bson::Int64(at.timestamp_millis())
}

/// An integer field however the server typed it (absent or null is 0).
pub(crate) fn int(d: &Document, key: &str) -> i64 {
    match d.get(key) {
        Some(Bson::Int64(v)) => *v,
        Some(Bson::Int32(v)) => i64::from(*v),
        Some(Bson::Double(v)) => *v as i64,
        _ => 0,
    }
}

pub(crate) fn opt_int(d: &Document, key: &str) -> Option<i64> {
    match d.get(key) {
        None | Some(Bson::Null) => None,
        Some(_) => Some(int(d, key)),
    }
}

pub(crate) fn text(d: &Document, key: &str) -> String {
    d.get_str(key).map(str::to_owned).unwrap_or_default()
}

pub(crate) fn uuid(d: &Document, key: &str) -> anyhow::Result<Uuid> {
    d.get_str(key)
        .with_context(|| format!("`{key}` missing"))?
        .parse()
        .with_context(|| format!("`{key}` is not a UUID"))
}

pub(crate) fn opt_uuid(d: &Document, key: &str) -> anyhow::Result<Option<Uuid>> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(_) => uuid(d, key).map(Some),
    }
}

pub(crate) fn date(d: &Document, key: &str) -> anyhow::Result<NaiveDate> {
    d.get_str(key)
        .with_context(|| format!("`{key}` missing"))?
        .parse()
        .with_context(|| format!("`{key}` is not a date"))
}

pub(crate) fn opt_date(d: &Document, key: &str) -> anyhow::Result<Option<NaiveDate>> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(_) => date(d, key).map(Some),
    }
}

pub(crate) fn ids(ids: &[Uuid]) -> Vec<Bson> {
    ids.iter().copied().map(id).collect()
}

/// Runs a pipeline and collects its documents.
pub(crate) async fn aggregate(
    collection: &Collection<Document>,
    pipeline: Vec<Document>,
) -> anyhow::Result<Vec<Document>> {
    let cursor = collection
        .aggregate(pipeline)
        .await
        .with_context(|| format!("aggregating {}", collection.name()))?;
    Ok(cursor.try_collect().await?)
}

/// Finds documents (with an optional projection and sort).
pub(crate) async fn find(
    collection: &Collection<Document>,
    filter: Document,
    projection: Option<Document>,
    sort: Option<Document>,
) -> anyhow::Result<Vec<Document>> {
    let cursor = collection
        .find(filter)
        .with_options(
            mongodb::options::FindOptions::builder()
                .projection(projection)
                .sort(sort)
                .build(),
        )
        .await
        .with_context(|| format!("reading {}", collection.name()))?;
    Ok(cursor.try_collect().await?)
}
