//! Manufacturers, vehicle models and their colours: what OEM staff change and what every role
//! reads (dealer roles: published models only). Changes that other modules copy publish the
//! variants' snapshots in the same transaction.

use crate::domain::catalog::{self, check_version, ModelAction, ModelStatus};
use crate::store::catalog::{
    self as store, colours, manufacturers, vehicle_models, ColourFilter, ModelFilter,
};
use kernel::{
    auth::roles::OEM,
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, Db, DomainError, DomainResult, Lifecycle, WriteTxn,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Whether the caller is OEM staff (sees drafts and discontinued models).
pub fn is_oem(caller: &Caller) -> bool {
    caller.has_role(OEM)
}

/// Turns "no such row" into a refusal of the request field that named it (other errors pass).
pub fn missing_as_invalid(
    field: &'static str,
    message: impl Into<String>,
) -> impl FnOnce(DomainError) -> DomainError {
    let message = message.into();
    move |error| match error {
        DomainError::NotFound(_) => DomainError::invalid(field, message),
        other => other,
    }
}

/// Publishes one variant's snapshot if its model has ever been published, so other modules'
/// copies follow publication, discontinuation, price, spec and colour changes.
pub async fn publish_variant(txn: &mut WriteTxn, variant_id: Uuid) -> DomainResult<()> {
    if let Some(snapshot) = store::variant_snapshot(&**txn, variant_id).await? {
        if snapshot.model_status != ModelStatus::Draft.as_str() {
            kernel::events::publish(txn, &snapshot).await?;
        }
    }
    Ok(())
}

/// Publishes the snapshot of every variant of a model (see [`publish_variant`]).
pub async fn publish_model_variants(txn: &mut WriteTxn, model_id: Uuid) -> DomainResult<()> {
    for id in store::variant_ids_of_model(&**txn, model_id).await? {
        publish_variant(txn, id).await?;
    }
    Ok(())
}

pub async fn list_manufacturers(
    db: &Db,
    params: &ListParams,
) -> DomainResult<Page<manufacturers::Model>> {
    store::list_manufacturers(db.conn(), params).await
}

/// One manufacturer (every role that may list them may read one), else 404.
pub async fn get_manufacturer(db: &Db, id: Uuid) -> DomainResult<manufacturers::Model> {
    kernel::store::find_visible::<manufacturers::Entity>(db.conn(), id, "manufacturer", |_| true)
        .await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateManufacturer {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    #[validate(length(min = 2, max = 80))]
    pub country: String,
}

/// Registers a manufacturer (admins).
pub async fn create_manufacturer(
    db: &Db,
    input: CreateManufacturer,
) -> DomainResult<manufacturers::Model> {
    let txn = db.begin().await?;
    let manufacturer = manufacturers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.trim().to_owned()),
        country: Set(input.country.trim().to_owned()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(manufacturer)
}

/// The model if the caller may see it (dealer roles: published only), else 404.
pub async fn visible_model(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<vehicle_models::Model> {
    let oem = is_oem(caller);
    kernel::store::find_visible::<vehicle_models::Entity>(db, id, "model", |m| {
        catalog::visible(oem, m.status)
    })
    .await
}

/// Models; dealer roles see published ones only.
pub async fn list_models(
    db: &Db,
    caller: &Caller,
    filter: &ModelFilter,
    params: &ListParams,
) -> DomainResult<Page<vehicle_models::Model>> {
    store::list_models(db.conn(), !is_oem(caller), filter, params).await
}

pub async fn get_model(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<vehicle_models::Model> {
    visible_model(db.conn(), caller, id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateModel {
    pub manufacturer_id: Uuid,
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// e.g. sedan, suv, hatchback, pickup, van
    #[validate(length(min = 2, max = 40))]
    pub segment: String,
    #[validate(range(min = 2000, max = 2100))]
    pub model_year: i32,
    #[validate(length(max = 4000))]
    pub description: Option<String>,
}

/// Creates a draft model.
pub async fn create_model(db: &Db, input: CreateModel) -> DomainResult<vehicle_models::Model> {
    if store::find_manufacturer(db.conn(), input.manufacturer_id)
        .await?
        .is_none()
    {
        return Err(DomainError::invalid(
            "manufacturerId",
            "no such manufacturer",
        ));
    }
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    let model = vehicle_models::ActiveModel {
        id: Set(Uuid::now_v7()),
        manufacturer_id: Set(input.manufacturer_id),
        name: Set(input.name.trim().to_owned()),
        segment: Set(input.segment.trim().to_lowercase()),
        model_year: Set(input.model_year),
        status: Set(ModelStatus::Draft),
        description: Set(input.description),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateModel {
    #[validate(length(min = 1, max = 120))]
    pub name: Option<String>,
    #[validate(length(min = 2, max = 40))]
    pub segment: Option<String>,
    #[validate(length(max = 4000))]
    pub description: Option<String>,
    /// The version read; a stale one is refused with 409.
    pub version: i32,
}

/// Renames or re-describes a model (optimistic on `version`); its variants follow its segment.
pub async fn update_model(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    input: UpdateModel,
) -> DomainResult<vehicle_models::Model> {
    let model = visible_model(db.conn(), caller, id).await?;
    check_version("model", input.version, model.version)?;
    let mut changes = <vehicle_models::ActiveModel as Default>::default();
    if let Some(name) = input.name {
        changes.name = Set(name.trim().to_owned());
    }
    if let Some(segment) = input.segment {
        changes.segment = Set(segment.trim().to_lowercase());
    }
    if let Some(description) = input.description {
        changes.description = Set(Some(description));
    }
    let mut txn = db.begin().await?;
    if !store::update_model_at_version(&*txn, model.id, model.version, changes).await? {
        return Err(DomainError::changed_meanwhile("model"));
    }
    let model = visible_model(&*txn, caller, id).await?;
    store::copy_model_to_variants(&*txn, &model).await?;
    publish_model_variants(&mut txn, model.id).await?;
    txn.commit().await?;
    Ok(model)
}

/// Publishes or discontinues a model: 409 naming the allowed actions when the lifecycle does
/// not allow it, 409 `concurrent_change` when another request moved it first. Its variants
/// follow, and their snapshots tell other modules.
pub async fn change_status(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    action: ModelAction,
) -> DomainResult<vehicle_models::Model> {
    let model = visible_model(db.conn(), caller, id).await?;
    let next = model.status.apply(action)?;
    let mut txn = db.begin().await?;
    StatusChange::<vehicle_models::Entity>::new(model.id, model.status, next)
        .exec(&*txn)
        .await?;
    let model = visible_model(&*txn, caller, id).await?;
    store::copy_model_to_variants(&*txn, &model).await?;
    publish_model_variants(&mut txn, model.id).await?;
    txn.commit().await?;
    Ok(model)
}

/// Colours; dealer roles see published models' colours only.
pub async fn list_colours(
    db: &Db,
    caller: &Caller,
    filter: &ColourFilter,
    params: &ListParams,
) -> DomainResult<Page<colours::Model>> {
    store::list_colours(db.conn(), !is_oem(caller), filter, params).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateColour {
    pub model_id: Uuid,
    #[validate(length(min = 1, max = 60))]
    pub name: String,
    /// `#RRGGBB`
    #[validate(custom(function = "hex_colour"))]
    pub hex: String,
    #[validate(range(min = 0))]
    pub surcharge: i64,
}

fn hex_colour(value: &str) -> Result<(), validator::ValidationError> {
    let ok = value.len() == 7
        && value.starts_with('#')
        && value.chars().skip(1).all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("hex").with_message("must be #RRGGBB".into()))
    }
}

/// Adds a colour to a model; the model's variants are republished with it.
pub async fn create_colour(
    db: &Db,
    caller: &Caller,
    input: CreateColour,
) -> DomainResult<colours::Model> {
    let model = visible_model(db.conn(), caller, input.model_id)
        .await
        .map_err(missing_as_invalid("modelId", "no such model"))?;
    let mut txn = db.begin().await?;
    let colour = colours::ActiveModel {
        id: Set(Uuid::now_v7()),
        model_id: Set(model.id),
        name: Set(input.name.trim().to_owned()),
        hex: Set(input.hex.to_uppercase()),
        surcharge: Set(input.surcharge),
        available: Set(true),
    }
    .insert(&*txn)
    .await?;
    publish_model_variants(&mut txn, model.id).await?;
    txn.commit().await?;
    Ok(colour)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateColour {
    #[validate(length(min = 1, max = 60))]
    pub name: Option<String>,
    #[validate(range(min = 0))]
    pub surcharge: Option<i64>,
    pub available: Option<bool>,
}

/// Changes a colour's name, surcharge or availability; the model's variants are republished.
pub async fn update_colour(db: &Db, id: Uuid, input: UpdateColour) -> DomainResult<colours::Model> {
    let colour = store::find_colour(db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("colour"))?;
    let model_id = colour.model_id;
    let mut update: colours::ActiveModel = colour.into();
    if let Some(name) = input.name {
        update.name = Set(name.trim().to_owned());
    }
    if let Some(surcharge) = input.surcharge {
        update.surcharge = Set(surcharge);
    }
    if let Some(available) = input.available {
        update.available = Set(available);
    }
    let mut txn = db.begin().await?;
    let colour = update.update(&*txn).await?;
    publish_model_variants(&mut txn, model_id).await?;
    txn.commit().await?;
    Ok(colour)
}

/// A colour as every reader sees it (also listed with a variant).
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ColourDto {
    pub id: Uuid,
    pub model_id: Uuid,
    pub name: String,
    pub hex: String,
    pub surcharge: contracts::Money,
    pub available: bool,
}

impl From<colours::Model> for ColourDto {
    fn from(c: colours::Model) -> Self {
        Self {
            id: c.id,
            model_id: c.model_id,
            name: c.name,
            hex: c.hex,
            surcharge: contracts::Money(c.surcharge),
            available: c.available,
        }
    }
}
