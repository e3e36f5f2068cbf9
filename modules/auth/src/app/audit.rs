//! Reading the security audit trail (administrators): who signed in, failed, was throttled,
//! changed roles or lost their sessions, and when.

use super::Services;
use crate::store::audit::{self, AuditFilter, Kind};
use kernel::{
    pagination::{ListParams, Page},
    DomainError, DomainResult,
};

/// One page of the audit trail, newest first; `action` must be a known kind and `from` must
/// come before `to`.
pub async fn list(
    services: &Services,
    filter: &AuditFilter,
    params: &ListParams,
) -> DomainResult<Page<audit::Model>> {
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from >= to {
            return Err(DomainError::invalid("to", "must be later than `from`"));
        }
    }
    let action = filter
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.parse::<Kind>())
        .transpose()
        .map_err(|message| DomainError::invalid("action", message))?;
    audit::list(services.db.conn(), filter, action, params).await
}
