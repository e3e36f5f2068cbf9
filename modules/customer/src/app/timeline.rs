//! The interaction timeline of a customer: read, and fed from events.

use super::{customers::visible, Services};
use crate::domain::timeline::TimelineEntry;
use kernel::{pagination::Page, Caller, DomainResult};
use uuid::Uuid;

/// What happened with the customer, newest first.
pub async fn list(
    services: &Services,
    caller: &Caller,
    customer_id: Uuid,
    page: u64,
    page_size: u64,
) -> DomainResult<Page<TimelineEntry>> {
    let customer = visible(services.db.conn(), caller, customer_id).await?;
    Ok(services.timeline.list(customer.id, page, page_size).await?)
}
