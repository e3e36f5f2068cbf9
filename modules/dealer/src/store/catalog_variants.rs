//! `dealer.catalog_variants`: the sellable catalog, copied from the manufacturer's events.

use crate::domain::catalog::{self, Colours, ModelStatus, VariantStatus};
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, IntoActiveModel};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "catalog_variants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub variant_id: Uuid,
    pub model_id: Uuid,
    pub model_name: String,
    pub variant_name: String,
    pub segment: String,
    pub status: VariantStatus,
    pub model_status: ModelStatus,
    /// List price (minor units).
    pub msrp: i64,
    /// `[{colourId, name, hex, surcharge}]`
    #[sea_orm(column_type = "Json")]
    pub colours: Colours,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn sellable(&self) -> bool {
        catalog::sellable(self.model_status, self.status)
    }
}

pub async fn find(db: &impl ConnectionTrait, variant_id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(variant_id).one(db).await?)
}

/// Keeps the latest snapshot of a variant.
pub async fn upsert(db: &impl ConnectionTrait, variant: Model) -> DomainResult<()> {
    use Column as C;
    Entity::insert(variant.into_active_model())
        .on_conflict(
            OnConflict::column(C::VariantId)
                .update_columns([
                    C::ModelId,
                    C::ModelName,
                    C::VariantName,
                    C::Segment,
                    C::Status,
                    C::ModelStatus,
                    C::Msrp,
                    C::Colours,
                    C::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// A new list price (minor units) of a known variant.
pub async fn set_msrp(db: &impl ConnectionTrait, variant_id: Uuid, msrp: i64) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Msrp, Expr::value(msrp))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::VariantId.eq(variant_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Those of `ids` that are no variant of the catalog.
pub async fn unknown(db: &impl ConnectionTrait, ids: &[Uuid]) -> DomainResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<Uuid> = Entity::find()
        .filter(Column::VariantId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.variant_id)
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !known.contains(id))
        .copied()
        .collect())
}
