//! `dealer.dealers`: the OEM's dealers.

use crate::domain::dealers::DealerStatus;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "dealers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub region: String,
    pub city: String,
    pub tax_number: String,
    pub status: DealerStatus,
    pub tax_rate_bp: i32,
    /// IANA time zone of the dealer's local time; `None` = the consumers' default.
    pub time_zone: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("dealer", Status);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DealerFilter {
    pub status: Option<DealerStatus>,
    pub region: Option<String>,
}

/// Dealers (`only`: just this one, for a dealer role); `q` searches the name.
pub async fn list(
    db: &impl ConnectionTrait,
    only: Option<Uuid>,
    filter: &DealerFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = Entity::find()
        .apply_if(only, |q, id| q.filter(Column::Id.eq(id)))
        .apply_if(filter.status, |q, v| q.filter(Column::Status.eq(v)))
        .apply_if(filter.region.as_deref(), |q, v| {
            q.filter(Column::Region.eq(v))
        })
        .apply_if(params.query(), |q, v| {
            q.filter(kernel::store::contains_ignoring_case(Column::Name, v))
        });
    let sortable = [
        ("name", Column::Name),
        ("code", Column::Code),
        ("region", Column::Region),
        ("createdAt", Column::CreatedAt),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::Name, Order::Asc),
            Column::Id,
        )
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// Replaces the row only while it is at `version` (the one read). `false`: someone else won.
pub async fn update_at_version(
    db: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    changes: ActiveModel,
) -> DomainResult<bool> {
    kernel::store::update_at_version::<Entity>(db, id, version, changes).await
}
