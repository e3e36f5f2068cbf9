//! Names for the ids a report groups by, from the module's event-fed directories.

use crate::store::{Directory, GroupBy, ReportStore};
use std::collections::HashMap;
use uuid::Uuid;

/// Labels of group keys (ids as strings); regions label themselves.
pub async fn label_keys<'a>(
    store: &dyn ReportStore,
    group_by: Option<GroupBy>,
    keys: impl Iterator<Item = &'a str>,
) -> anyhow::Result<HashMap<String, String>> {
    let directory = match group_by {
        None | Some(GroupBy::Region) => return Ok(HashMap::new()),
        Some(GroupBy::Dealer) => Directory::Dealers,
        Some(GroupBy::Branch) => Directory::Branches,
        Some(GroupBy::Salesperson) => Directory::Staff,
        Some(GroupBy::Variant) => Directory::Variants,
        Some(GroupBy::Model) => Directory::Models,
    };
    let mut ids: Vec<Uuid> = keys.filter_map(|k| k.parse().ok()).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(store
        .labels(directory, &ids)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// Labels of plain ids.
pub async fn label_ids(
    store: &dyn ReportStore,
    directory: Directory,
    ids: impl Iterator<Item = Uuid>,
) -> anyhow::Result<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    store.labels(directory, &ids).await
}
