//! Manufacturers, vehicle models, variants, colours and price history.

pub mod manufacturers {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "manufacturers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub country: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod vehicle_models {
    use crate::domain::catalog::ModelStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "vehicle_models")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub manufacturer_id: Uuid,
        pub name: String,
        pub segment: String,
        pub model_year: i32,
        pub status: ModelStatus,
        pub description: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    kernel::tracked!("model", Status);
}

pub mod variants {
    use crate::domain::catalog::{ModelStatus, VariantStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "variants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub model_id: Uuid,
        pub name: String,
        pub status: VariantStatus,
        /// The model's status, copied so catalog pages filter on one table.
        pub model_status: ModelStatus,
        pub segment: String,
        pub battery_kwh: f64,
        pub range_km: i32,
        pub motor_kw: i32,
        pub zero_to_100_s: f64,
        pub seats: i32,
        pub drive: String,
        pub charging_kw: i32,
        pub specs: Json,
        /// Minor units.
        pub msrp: i64,
        /// Minor units.
        pub wholesale_price: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    kernel::tracked!("variant", Status);
}

pub mod colours {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "colours")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub model_id: Uuid,
        pub name: String,
        pub hex: String,
        /// Minor units.
        pub surcharge: i64,
        pub available: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod price_history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "price_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub variant_id: Uuid,
        pub msrp: i64,
        pub wholesale_price: i64,
        pub changed_by: Option<Uuid>,
        pub effective_from: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use crate::domain::catalog::{sellable, ModelStatus, VariantStatus};
use contracts::{
    events::manufacturer::{ColourOption, VariantPublished},
    Money,
};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter,
    QueryOrder, QueryTrait, Set,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Every manufacturer; `q` searches the name.
pub async fn list_manufacturers(
    db: &impl ConnectionTrait,
    params: &ListParams,
) -> DomainResult<Page<manufacturers::Model>> {
    use manufacturers::Column as C;
    let select = manufacturers::Entity::find().apply_if(params.query(), |q, v| {
        q.filter(kernel::store::contains_ignoring_case(C::Name, v))
    });
    params
        .fetch(
            db,
            select,
            &[("name", C::Name)],
            (C::Name, Order::Asc),
            C::Id,
        )
        .await
}

pub async fn find_manufacturer(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<manufacturers::Model>> {
    Ok(manufacturers::Entity::find_by_id(id).one(db).await?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ModelFilter {
    /// Dealer roles see published models only.
    pub status: Option<ModelStatus>,
    pub segment: Option<String>,
    pub manufacturer_id: Option<Uuid>,
}

/// Vehicle models (`published_only` for dealer roles); `q` searches the name.
pub async fn list_models(
    db: &impl ConnectionTrait,
    published_only: bool,
    filter: &ModelFilter,
    params: &ListParams,
) -> DomainResult<Page<vehicle_models::Model>> {
    use vehicle_models::Column as C;
    let select = vehicle_models::Entity::find()
        .apply_if(published_only.then_some(ModelStatus::Published), |q, v| {
            q.filter(C::Status.eq(v))
        })
        .apply_if(filter.status, |q, v| q.filter(C::Status.eq(v)))
        .apply_if(filter.segment.as_deref(), |q, v| q.filter(C::Segment.eq(v)))
        .apply_if(filter.manufacturer_id, |q, v| {
            q.filter(C::ManufacturerId.eq(v))
        })
        .apply_if(params.query(), |q, v| {
            q.filter(kernel::store::contains_ignoring_case(C::Name, v))
        });
    let sortable = [
        ("name", C::Name),
        ("modelYear", C::ModelYear),
        ("createdAt", C::CreatedAt),
    ];
    params
        .fetch(db, select, &sortable, (C::Name, Order::Asc), C::Id)
        .await
}

pub async fn find_model(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<vehicle_models::Model>> {
    Ok(vehicle_models::Entity::find_by_id(id).one(db).await?)
}

/// Copies a model's status and segment onto its variants (catalog pages filter one table).
pub async fn copy_model_to_variants(
    db: &impl ConnectionTrait,
    model: &vehicle_models::Model,
) -> DomainResult<()> {
    use sea_orm::sea_query::Expr;
    variants::Entity::update_many()
        .col_expr(variants::Column::ModelStatus, Expr::value(model.status))
        .col_expr(
            variants::Column::Segment,
            Expr::value(model.segment.clone()),
        )
        .filter(variants::Column::ModelId.eq(model.id))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ColourFilter {
    pub model_id: Option<Uuid>,
}

/// Colours, optionally of one model (`published_only`: of published models only).
pub async fn list_colours(
    db: &impl ConnectionTrait,
    published_only: bool,
    filter: &ColourFilter,
    params: &ListParams,
) -> DomainResult<Page<colours::Model>> {
    use colours::Column as C;
    let published = if published_only {
        Some(
            vehicle_models::Entity::find()
                .filter(vehicle_models::Column::Status.eq(ModelStatus::Published))
                .all(db)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect::<Vec<Uuid>>(),
        )
    } else {
        None
    };
    let select = colours::Entity::find()
        .apply_if(filter.model_id, |q, v| q.filter(C::ModelId.eq(v)))
        .apply_if(published, |q, ids| q.filter(C::ModelId.is_in(ids)));
    params
        .fetch(
            db,
            select,
            &[("name", C::Name), ("surcharge", C::Surcharge)],
            (C::Name, Order::Asc),
            C::Id,
        )
        .await
}

pub async fn find_colour(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<colours::Model>> {
    Ok(colours::Entity::find_by_id(id).one(db).await?)
}

/// Every colour of a model (available or not), by name.
pub async fn colours_of_model(
    db: &impl ConnectionTrait,
    model_id: Uuid,
) -> DomainResult<Vec<colours::Model>> {
    Ok(colours::Entity::find()
        .filter(colours::Column::ModelId.eq(model_id))
        .order_by_asc(colours::Column::Name)
        .all(db)
        .await?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VariantFilter {
    pub model_id: Option<Uuid>,
    pub segment: Option<String>,
    /// Variant status.
    pub status: Option<VariantStatus>,
    /// Model status (OEM staff; dealer roles always see published models only).
    pub model_status: Option<ModelStatus>,
    pub drive: Option<String>,
    /// MSRP range, minor units.
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub min_price: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub max_price: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub min_range_km: Option<u64>,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub max_range_km: Option<u64>,
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Searches variants (`published_only` for dealer roles, who cannot ask for other model
/// statuses); `q` searches the name.
pub async fn list_variants(
    db: &impl ConnectionTrait,
    published_only: bool,
    filter: &VariantFilter,
    params: &ListParams,
) -> DomainResult<Page<variants::Model>> {
    use variants::Column as C;
    let model_status = if published_only {
        Some(ModelStatus::Published)
    } else {
        filter.model_status
    };
    let select = variants::Entity::find()
        .apply_if(model_status, |q, v| q.filter(C::ModelStatus.eq(v)))
        .apply_if(filter.model_id, |q, v| q.filter(C::ModelId.eq(v)))
        .apply_if(filter.segment.as_deref(), |q, v| {
            q.filter(C::Segment.eq(v.to_lowercase()))
        })
        .apply_if(filter.status, |q, v| q.filter(C::Status.eq(v)))
        .apply_if(filter.drive.as_deref(), |q, v| {
            q.filter(C::Drive.eq(v.to_uppercase()))
        })
        .apply_if(filter.min_price, |q, n| q.filter(C::Msrp.gte(clamp(n))))
        .apply_if(filter.max_price, |q, n| q.filter(C::Msrp.lte(clamp(n))))
        .apply_if(filter.min_range_km, |q, n| {
            q.filter(C::RangeKm.gte(clamp(n)))
        })
        .apply_if(filter.max_range_km, |q, n| {
            q.filter(C::RangeKm.lte(clamp(n)))
        })
        .apply_if(params.query(), |q, v| {
            q.filter(kernel::store::contains_ignoring_case(C::Name, v))
        });
    let sortable = [
        ("msrp", C::Msrp),
        ("rangeKm", C::RangeKm),
        ("batteryKwh", C::BatteryKwh),
        ("motorKw", C::MotorKw),
        ("name", C::Name),
        ("createdAt", C::CreatedAt),
    ];
    params
        .fetch(db, select, &sortable, (C::Msrp, Order::Asc), C::Id)
        .await
}

pub async fn find_variant(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<variants::Model>> {
    Ok(variants::Entity::find_by_id(id).one(db).await?)
}

/// The ids of a model's variants, in id order.
pub async fn variant_ids_of_model(
    db: &impl ConnectionTrait,
    model_id: Uuid,
) -> DomainResult<Vec<Uuid>> {
    Ok(variants::Entity::find()
        .filter(variants::Column::ModelId.eq(model_id))
        .order_by_asc(variants::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect())
}

/// Replaces a row only while it is at `version` (the one read). `false`: someone else won.
pub async fn update_model_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    changes: vehicle_models::ActiveModel,
) -> DomainResult<bool> {
    kernel::store::update_at_version::<vehicle_models::Entity>(db, id, version, changes).await
}

/// Replaces a row only while it is at `version` (the one read). `false`: someone else won.
pub async fn update_variant_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    changes: variants::ActiveModel,
) -> DomainResult<bool> {
    kernel::store::update_at_version::<variants::Entity>(db, id, version, changes).await
}

/// Keeps the variant's current prices in its history.
pub async fn record_price(
    db: &impl ConnectionTrait,
    variant: &variants::Model,
    changed_by: Option<Uuid>,
) -> DomainResult<()> {
    price_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        variant_id: Set(variant.id),
        msrp: Set(variant.msrp),
        wholesale_price: Set(variant.wholesale_price),
        changed_by: Set(changed_by),
        effective_from: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Every price a variant has had, newest first by default.
pub async fn price_history_of(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    params: &ListParams,
) -> DomainResult<Page<price_history::Model>> {
    use price_history::Column as C;
    let select = price_history::Entity::find().filter(C::VariantId.eq(variant_id));
    params
        .fetch(
            db,
            select,
            &[("effectiveFrom", C::EffectiveFrom)],
            (C::EffectiveFrom, Order::Desc),
            C::Id,
        )
        .await
}

/// The published snapshot of a variant, as other modules copy it.
#[tracing::instrument(skip(db))]
pub async fn variant_snapshot(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
) -> DomainResult<Option<VariantPublished>> {
    let Some(variant) = variants::Entity::find_by_id(variant_id).one(db).await? else {
        return Ok(None);
    };
    let Some(model) = vehicle_models::Entity::find_by_id(variant.model_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let colours = colours::Entity::find()
        .filter(colours::Column::ModelId.eq(model.id))
        .filter(colours::Column::Available.eq(true))
        .order_by_asc(colours::Column::Name)
        .all(db)
        .await?;
    Ok(Some(VariantPublished {
        variant_id: variant.id,
        model_id: model.id,
        manufacturer_id: model.manufacturer_id,
        model_name: model.name,
        variant_name: variant.name,
        segment: model.segment,
        model_year: model.model_year,
        model_status: model.status.as_str().to_owned(),
        status: variant.status.as_str().to_owned(),
        battery_kwh: variant.battery_kwh,
        range_km: variant.range_km,
        seats: variant.seats,
        drive: variant.drive,
        msrp: Money(variant.msrp),
        wholesale_price: Money(variant.wholesale_price),
        colours: colours
            .into_iter()
            .map(|c| ColourOption {
                colour_id: c.id,
                name: c.name,
                hex: c.hex,
                surcharge: Money(c.surcharge),
            })
            .collect(),
    }))
}

/// A variant that dealers can order now: its model is published and it is not discontinued.
#[tracing::instrument(skip(db))]
pub async fn variant_on_sale(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
) -> Result<Option<variants::Model>, DbErr> {
    Ok(variants::Entity::find_by_id(variant_id)
        .one(db)
        .await?
        .filter(|v| sellable(v.model_status, v.status)))
}

/// A colour offered for the given model.
#[tracing::instrument(skip(db))]
pub async fn available_colour(
    db: &impl ConnectionTrait,
    colour_id: Uuid,
    model_id: Uuid,
) -> Result<Option<colours::Model>, DbErr> {
    Ok(colours::Entity::find_by_id(colour_id)
        .one(db)
        .await?
        .filter(|c| c.model_id == model_id && c.available))
}
