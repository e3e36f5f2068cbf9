//! The delivery ledger as admins see it: listing, one delivery, and sending one again.

use super::Notifications;
use crate::{
    domain::{Channel, DeliveryStatus},
    store::deliveries::{self, DeliveryFilter},
};
use kernel::{
    pagination::{ListParams, Page},
    DomainError, DomainResult, ErrorCode,
};
use uuid::Uuid;

/// The ledger, newest first.
pub async fn list(
    n: &Notifications,
    filter: &DeliveryFilter,
    params: &ListParams,
) -> DomainResult<Page<deliveries::Model>> {
    deliveries::list(n.db.conn(), filter, params).await
}

/// One delivery (404 when unknown).
pub async fn get(n: &Notifications, id: Uuid) -> DomainResult<deliveries::Model> {
    deliveries::find(n.db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("delivery"))
}

/// Puts a delivery back in line with fresh attempts (failed, dead or sent ones; in-app messages
/// are in the inbox already → 409) and wakes the dispatcher; the delivery as it is now.
pub async fn resend(n: &Notifications, id: Uuid) -> DomainResult<deliveries::Model> {
    let delivery = get(n, id).await?;
    let status: DeliveryStatus = delivery
        .status
        .parse()
        .map_err(|e: String| DomainError::Internal(anyhow::anyhow!(e)))?;
    if delivery.channel == Channel::InApp.as_str() {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            "in-app messages are in the inbox already",
        ));
    }
    if !status.can_resend() {
        return Err(DomainError::illegal_transition(
            status.as_str(),
            "resend",
            Vec::new(),
        ));
    }
    let txn = n.db.begin().await?;
    deliveries::requeue(&*txn, delivery.id).await?;
    txn.commit().await?;
    n.wake.notify_one();
    get(n, id).await
}
