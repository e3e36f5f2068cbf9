//! `customer.catalog_variants`: the module's copy of the catalog (from
//! `manufacturer.variant_published.v1`), to know what can be test-driven.

use crate::domain::catalog::VariantAvailability;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "catalog_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub variant_id: Uuid,
    pub model_name: String,
    pub variant_name: String,
    pub status: VariantAvailability,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn upsert(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    model_name: &str,
    variant_name: &str,
    status: VariantAvailability,
) -> DomainResult<()> {
    Entity::insert(ActiveModel {
        variant_id: Set(variant_id),
        model_name: Set(model_name.to_owned()),
        variant_name: Set(variant_name.to_owned()),
        status: Set(status),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::VariantId)
            .update_columns([
                Column::ModelName,
                Column::VariantName,
                Column::Status,
                Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Whether the variant can be booked for a test drive now.
pub async fn is_available(db: &impl ConnectionTrait, variant_id: Uuid) -> DomainResult<bool> {
    Ok(Entity::find_by_id(variant_id)
        .one(db)
        .await?
        .is_some_and(|v| v.status == VariantAvailability::Available))
}

/// Whether the catalog has the variant at all (on sale or not).
pub async fn is_known(db: &impl ConnectionTrait, variant_id: Uuid) -> DomainResult<bool> {
    Ok(Entity::find_by_id(variant_id).one(db).await?.is_some())
}
