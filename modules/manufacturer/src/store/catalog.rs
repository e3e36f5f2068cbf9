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
        /// draft | published | discontinued
        pub status: String,
        pub description: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod variants {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "variants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub model_id: Uuid,
        pub name: String,
        /// in_production | coming_soon | discontinued
        pub status: String,
        /// The model's status, copied so catalog pages filter on one table.
        pub model_status: String,
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

use contracts::{
    events::manufacturer::{ColourOption, VariantPublished},
    Money,
};
use kernel::ApiError;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The published snapshot of a variant, as other modules copy it.
#[tracing::instrument(skip(db))]
pub async fn variant_snapshot(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
) -> Result<Option<VariantPublished>, ApiError> {
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
        model_status: model.status,
        status: variant.status,
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

/// Publishes the snapshot of every variant of a model whose model is (or was) on sale, so other
/// modules' copies follow publication, discontinuation and colour changes.
pub async fn publish_model_variants(
    txn: &mut kernel::WriteTxn,
    model_id: Uuid,
) -> Result<(), ApiError> {
    let ids: Vec<Uuid> = variants::Entity::find()
        .filter(variants::Column::ModelId.eq(model_id))
        .order_by_asc(variants::Column::Id)
        .all(&**txn)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    for id in ids {
        publish_variant(txn, id).await?;
    }
    Ok(())
}

/// Publishes one variant's snapshot if its model has ever been published.
pub async fn publish_variant(txn: &mut kernel::WriteTxn, variant_id: Uuid) -> Result<(), ApiError> {
    if let Some(snapshot) = variant_snapshot(&**txn, variant_id).await? {
        if snapshot.model_status != "draft" {
            kernel::events::publish(txn, &snapshot).await?;
        }
    }
    Ok(())
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
        .filter(|v| v.model_status == "published" && v.status != "discontinued"))
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
