//! Dealers: the OEM registers and changes them; dealer roles read their own.

use super::Services;
use crate::domain::{
    dealers::{DealerStatus, DEFAULT_TAX_RATE_BP},
    time_zone,
};
use crate::store::dealers;
use contracts::events::dealer::DealerProfileChanged;
use kernel::{
    pagination::{ListParams, Page},
    Caller, DomainError, DomainResult, ErrorCode,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::dealers::DealerFilter;

/// The dealer if the caller may see it (dealer roles: their own), or 404.
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<dealers::Model> {
    kernel::store::find_visible::<dealers::Entity>(db, id, "dealer", |d| {
        caller.can_access_dealer(d.id)
    })
    .await
}

/// Dealers; a dealer role sees only its own.
pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &DealerFilter,
    params: &ListParams,
) -> DomainResult<Page<dealers::Model>> {
    dealers::list(services.db.conn(), caller.dealer_id, filter, params).await
}

pub async fn get(services: &Services, caller: &Caller, id: Uuid) -> DomainResult<dealers::Model> {
    visible(services.db.conn(), caller, id).await
}

/// What other modules learn of a dealer when it is registered or changed.
pub fn profile_event(d: &dealers::Model) -> DealerProfileChanged {
    DealerProfileChanged {
        dealer_id: d.id,
        code: d.code.clone(),
        name: d.name.clone(),
        region: d.region.clone(),
        city: d.city.clone(),
        status: d.status.as_str().to_owned(),
        time_zone: d.time_zone.clone(),
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewDealer {
    #[validate(length(min = 2, max = 16))]
    pub code: String,
    #[validate(length(min = 1, max = 160))]
    pub name: String,
    #[validate(length(min = 1, max = 80))]
    pub region: String,
    #[validate(length(min = 1, max = 80))]
    pub city: String,
    #[validate(length(min = 5, max = 32))]
    pub tax_number: String,
    /// VAT in basis points (1000 = 10%).
    #[validate(range(min = 0, max = 5000))]
    pub tax_rate_bp: Option<i32>,
    /// IANA time zone of the dealer's local time (SMS quiet hours), e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: Option<String>,
}

/// Registers a dealer (OEM staff); the code is unique (409).
pub async fn register(services: &Services, input: NewDealer) -> DomainResult<dealers::Model> {
    let time_zone = match input.time_zone.as_deref() {
        Some(zone) => time_zone::field(zone)?,
        None => None,
    };
    let now = chrono::Utc::now();
    let mut txn = services.db.begin().await?;
    let dealer = dealers::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(input.code.trim().to_uppercase()),
        name: Set(input.name.trim().to_owned()),
        region: Set(input.region.trim().to_owned()),
        city: Set(input.city.trim().to_owned()),
        tax_number: Set(input.tax_number.trim().to_owned()),
        status: Set(DealerStatus::Active),
        tax_rate_bp: Set(input.tax_rate_bp.unwrap_or(DEFAULT_TAX_RATE_BP)),
        time_zone: Set(time_zone),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    kernel::events::publish(&mut txn, &profile_event(&dealer)).await?;
    txn.commit().await?;
    Ok(dealer)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerChanges {
    #[validate(length(min = 1, max = 160))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 80))]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 80))]
    pub city: Option<String>,
    /// `suspended` blocks new sales.
    pub status: Option<DealerStatus>,
    #[validate(range(min = 0, max = 5000))]
    pub tax_rate_bp: Option<i32>,
    /// IANA time zone; an empty string removes it (the system default applies).
    pub time_zone: Option<String>,
    /// The version read; a newer one on the server → 409.
    pub version: i32,
}

/// Changes a dealer, e.g. suspends it (optimistic on `version`).
pub async fn update(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    input: DealerChanges,
) -> DomainResult<dealers::Model> {
    let db = services.db.conn();
    let dealer = visible(db, caller, id).await?;
    if dealer.version != input.version {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            format!(
                "stale version {}; the dealer is at version {}",
                input.version, dealer.version
            ),
        ));
    }
    let mut changes = dealers::ActiveModel {
        id: Set(dealer.id),
        ..Default::default()
    };
    if let Some(zone) = input.time_zone.as_deref() {
        changes.time_zone = Set(time_zone::field(zone)?);
    }
    if let Some(status) = input.status {
        changes.status = Set(status);
    }
    if let Some(v) = input.name {
        changes.name = Set(v.trim().to_owned());
    }
    if let Some(v) = input.region {
        changes.region = Set(v.trim().to_owned());
    }
    if let Some(v) = input.city {
        changes.city = Set(v.trim().to_owned());
    }
    if let Some(v) = input.tax_rate_bp {
        changes.tax_rate_bp = Set(v);
    }
    let mut txn = services.db.begin().await?;
    // Only the version read may be replaced: a racing update makes this one a 409.
    if !dealers::update_at_version(&*txn, dealer.id, dealer.version, changes).await? {
        return Err(DomainError::changed_meanwhile("dealer"));
    }
    let updated = visible(&*txn, caller, id).await?;
    kernel::events::publish(&mut txn, &profile_event(&updated)).await?;
    txn.commit().await?;
    Ok(updated)
}
