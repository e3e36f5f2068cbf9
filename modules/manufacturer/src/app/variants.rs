//! Variants (trims) with EV specs and prices: search, compare, spec changes and price changes
//! with their history. Dealer roles see variants of published models only.

use super::catalog::{is_oem, missing_as_invalid, publish_variant, visible_model};
use crate::domain::catalog::{self, check_prices, check_version, VariantStatus};
use crate::store::catalog::{self as store, colours, price_history, variants, VariantFilter};
use contracts::{events::manufacturer::PriceChanged, Money};
use kernel::{
    pagination::{ListParams, Page},
    Caller, Db, DomainError, DomainResult, Role,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Who sees wholesale prices: OEM staff and dealer managers (not dealer staff).
pub fn sees_wholesale(caller: &Caller) -> bool {
    caller.has_role(&[Role::Admin, Role::EvmStaff, Role::DealerManager])
}

/// The variant if the caller may see it (dealer roles: of a published model), else 404.
pub async fn visible_variant(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<variants::Model> {
    let oem = is_oem(caller);
    kernel::store::find_visible::<variants::Entity>(db, id, "variant", |v| {
        catalog::visible(oem, v.model_status)
    })
    .await
}

/// Searches variants; dealer roles see those of published models only.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &VariantFilter,
    params: &ListParams,
) -> DomainResult<Page<variants::Model>> {
    store::list_variants(db.conn(), !is_oem(caller), filter, params).await
}

/// One variant with every colour of its model.
pub async fn get(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<(variants::Model, Vec<colours::Model>)> {
    let variant = visible_variant(db.conn(), caller, id).await?;
    let colours = store::colours_of_model(db.conn(), variant.model_id).await?;
    Ok((variant, colours))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateVariant {
    pub model_id: Uuid,
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// Default `in_production`.
    pub status: Option<VariantStatus>,
    #[validate(range(min = 1.0, max = 500.0))]
    pub battery_kwh: f64,
    #[validate(range(min = 1, max = 2000))]
    pub range_km: i32,
    #[validate(range(min = 1, max = 2000))]
    pub motor_kw: i32,
    #[validate(range(min = 1.0, max = 60.0))]
    pub zero_to_100_s: f64,
    #[validate(range(min = 1, max = 9))]
    pub seats: i32,
    /// FWD | RWD | AWD
    #[validate(custom(function = "drive"))]
    pub drive: String,
    #[validate(range(min = 1, max = 1000))]
    pub charging_kw: i32,
    /// Free-form specs (e.g. `{"wheelsInch": 19, "heatPump": true}`).
    #[schema(value_type = Object)]
    pub specs: Option<serde_json::Map<String, serde_json::Value>>,
    #[validate(range(min = 1))]
    pub msrp: i64,
    #[validate(range(min = 1))]
    pub wholesale_price: i64,
}

fn drive(value: &str) -> Result<(), validator::ValidationError> {
    if ["FWD", "RWD", "AWD"].contains(&value.to_uppercase().as_str()) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("drive").with_message("must be FWD, RWD or AWD".into()))
    }
}

/// Adds a variant to a model with its first price in the history (published right away, i.e.
/// `variant_published`, if the model has been).
pub async fn create(
    db: &Db,
    caller: &Caller,
    input: CreateVariant,
) -> DomainResult<variants::Model> {
    check_prices(input.msrp, input.wholesale_price)?;
    let model = visible_model(db.conn(), caller, input.model_id)
        .await
        .map_err(missing_as_invalid("modelId", "no such model"))?;
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    let variant = variants::ActiveModel {
        id: Set(Uuid::now_v7()),
        model_id: Set(model.id),
        name: Set(input.name.trim().to_owned()),
        status: Set(input.status.unwrap_or(VariantStatus::InProduction)),
        model_status: Set(model.status),
        segment: Set(model.segment.clone()),
        battery_kwh: Set(input.battery_kwh),
        range_km: Set(input.range_km),
        motor_kw: Set(input.motor_kw),
        zero_to_100_s: Set(input.zero_to_100_s),
        seats: Set(input.seats),
        drive: Set(input.drive.to_uppercase()),
        charging_kw: Set(input.charging_kw),
        specs: Set(serde_json::Value::Object(input.specs.unwrap_or_default())),
        msrp: Set(input.msrp),
        wholesale_price: Set(input.wholesale_price),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    store::record_price(&*txn, &variant, Some(caller.subject)).await?;
    publish_variant(&mut txn, variant.id).await?;
    txn.commit().await?;
    Ok(variant)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateVariant {
    #[validate(length(min = 1, max = 120))]
    pub name: Option<String>,
    pub status: Option<VariantStatus>,
    #[validate(range(min = 1.0, max = 500.0))]
    pub battery_kwh: Option<f64>,
    #[validate(range(min = 1, max = 2000))]
    pub range_km: Option<i32>,
    #[validate(range(min = 1, max = 2000))]
    pub motor_kw: Option<i32>,
    #[validate(range(min = 1.0, max = 60.0))]
    pub zero_to_100_s: Option<f64>,
    #[validate(range(min = 1, max = 1000))]
    pub charging_kw: Option<i32>,
    #[schema(value_type = Object)]
    pub specs: Option<serde_json::Map<String, serde_json::Value>>,
    /// The version read; a stale one is refused with 409.
    pub version: i32,
}

/// Changes specs or status (optimistic on `version`; prices have their own use case).
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    input: UpdateVariant,
) -> DomainResult<variants::Model> {
    let variant = visible_variant(db.conn(), caller, id).await?;
    check_version("variant", input.version, variant.version)?;
    let mut changes = <variants::ActiveModel as Default>::default();
    if let Some(status) = input.status {
        changes.status = Set(status);
    }
    if let Some(name) = input.name {
        changes.name = Set(name.trim().to_owned());
    }
    if let Some(v) = input.battery_kwh {
        changes.battery_kwh = Set(v);
    }
    if let Some(v) = input.range_km {
        changes.range_km = Set(v);
    }
    if let Some(v) = input.motor_kw {
        changes.motor_kw = Set(v);
    }
    if let Some(v) = input.zero_to_100_s {
        changes.zero_to_100_s = Set(v);
    }
    if let Some(v) = input.charging_kw {
        changes.charging_kw = Set(v);
    }
    if let Some(specs) = input.specs {
        changes.specs = Set(serde_json::Value::Object(specs));
    }
    let mut txn = db.begin().await?;
    if !store::update_variant_at_version(&*txn, variant.id, variant.version, changes).await? {
        return Err(DomainError::changed_meanwhile("variant"));
    }
    let variant = visible_variant(&*txn, caller, id).await?;
    publish_variant(&mut txn, variant.id).await?;
    txn.commit().await?;
    Ok(variant)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePrices {
    #[validate(range(min = 1))]
    pub msrp: i64,
    #[validate(range(min = 1))]
    pub wholesale_price: i64,
    pub version: i32,
}

/// Sets MSRP and wholesale price (optimistic on `version`): the new prices go into the
/// history, and `price_changed` tells other modules once the model has been published.
pub async fn change_prices(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    input: ChangePrices,
) -> DomainResult<variants::Model> {
    check_prices(input.msrp, input.wholesale_price)?;
    let variant = visible_variant(db.conn(), caller, id).await?;
    check_version("variant", input.version, variant.version)?;
    let changes = variants::ActiveModel {
        msrp: Set(input.msrp),
        wholesale_price: Set(input.wholesale_price),
        ..Default::default()
    };
    let mut txn = db.begin().await?;
    if !store::update_variant_at_version(&*txn, variant.id, variant.version, changes).await? {
        return Err(DomainError::changed_meanwhile("variant"));
    }
    let changed = visible_variant(&*txn, caller, id).await?;
    store::record_price(&*txn, &changed, Some(caller.subject)).await?;
    if changed.model_status.announced() {
        let event = PriceChanged {
            variant_id: changed.id,
            msrp: Money(changed.msrp),
            wholesale_price: Money(changed.wholesale_price),
            previous_msrp: Money(variant.msrp),
            previous_wholesale_price: Money(variant.wholesale_price),
            effective_from: changed.updated_at,
        };
        kernel::events::publish(&mut txn, &event).await?;
    }
    txn.commit().await?;
    Ok(changed)
}

/// Every price a variant has had, newest first.
pub async fn price_history(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    params: &ListParams,
) -> DomainResult<Page<price_history::Model>> {
    let variant = visible_variant(db.conn(), caller, id).await?;
    store::price_history_of(db.conn(), variant.id, params).await
}

/// The 2–4 variants of a comma-separated id list, in the order asked (each must be visible).
pub async fn compare(
    db: &Db,
    caller: &Caller,
    variant_ids: &str,
) -> DomainResult<Vec<variants::Model>> {
    let ids = variant_ids
        .split(',')
        .map(|s| s.trim().parse::<Uuid>())
        .collect::<Result<Vec<Uuid>, _>>()
        .map_err(|_| DomainError::invalid("variants", "must be comma-separated variant ids"))?;
    if !(2..=4).contains(&ids.len()) {
        return Err(DomainError::invalid("variants", "compare 2 to 4 variants"));
    }
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let variant = visible_variant(db.conn(), caller, id)
            .await
            .map_err(missing_as_invalid(
                "variants",
                format!("no such variant {id}"),
            ))?;
        found.push(variant);
    }
    Ok(found)
}
