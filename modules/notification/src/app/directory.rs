//! The local directory of people (and their dealers' time zones), kept from auth, customer and
//! dealer events.

use crate::store::{dealers, deliveries, people};
use contracts::events::{auth, customer, dealer};
use contracts::IntegrationEvent;
use kernel::events::EventEnvelope;
use sea_orm::ConnectionTrait;

/// Applies a directory event (user registered or deactivated, customer created, updated or
/// erased, dealer changed). Returns whether `event` was one.
pub async fn apply(
    db: &impl ConnectionTrait,
    event: &EventEnvelope,
    default_locale: &str,
) -> anyhow::Result<bool> {
    match event.name.as_str() {
        auth::UserRegistered::NAME => {
            let user: auth::UserRegistered = event.decode()?;
            people::upsert_user(db, &user, default_locale).await?;
        }
        auth::UserDeactivated::NAME => {
            let user: auth::UserDeactivated = event.decode()?;
            people::deactivate_user(db, user.user_id).await?;
        }
        customer::CustomerCreated::NAME => {
            let created: customer::CustomerCreated = event.decode()?;
            people::upsert_customer(db, created.customer_id, created.dealer_id, &created.contact)
                .await?;
        }
        customer::CustomerUpdated::NAME => {
            let updated: customer::CustomerUpdated = event.decode()?;
            people::upsert_customer(db, updated.customer_id, updated.dealer_id, &updated.contact)
                .await?;
        }
        customer::CustomerErased::NAME => {
            // The right to erasure reaches this copy and every message addressed to them.
            let erased: customer::CustomerErased = event.decode()?;
            people::delete_customer(db, erased.customer_id).await?;
            deliveries::forget_recipient(db, &customer_key(erased.customer_id)).await?;
        }
        dealer::DealerProfileChanged::NAME => {
            let changed: dealer::DealerProfileChanged = event.decode()?;
            dealers::upsert(db, changed.dealer_id, changed.time_zone.as_deref()).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

pub fn user_key(id: uuid::Uuid) -> String {
    format!("user:{id}")
}

pub fn customer_key(id: uuid::Uuid) -> String {
    format!("customer:{id}")
}
