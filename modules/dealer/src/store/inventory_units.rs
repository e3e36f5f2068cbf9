//! `dealer.inventory_units`: the dealer's vehicles by VIN.

use crate::domain::inventory::UnitStatus;
use chrono::{DateTime, Utc};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    entity::prelude::*, sea_query::OnConflict, DbBackend, FromQueryResult, IntoActiveModel, Order,
    QueryOrder, QuerySelect, QueryTrait,
};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "inventory_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub vin: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: UnitStatus,
    /// What the dealer paid the OEM (minor units).
    pub cost: i64,
    pub dealer_order_id: Option<Uuid>,
    pub sales_order_id: Option<Uuid>,
    pub received_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub status: Option<UnitStatus>,
    pub variant_id: Option<Uuid>,
    pub colour_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

/// The dealer's units (`q` = VIN prefix).
pub async fn list(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    filter: &UnitFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    use Column as C;
    let select = Entity::find()
        .filter(C::DealerId.eq(dealer_id))
        .apply_if(filter.status, |q, v| q.filter(C::Status.eq(v)))
        .apply_if(filter.variant_id, |q, v| q.filter(C::VariantId.eq(v)))
        .apply_if(filter.colour_id, |q, v| q.filter(C::ColourId.eq(v)))
        .apply_if(filter.branch_id, |q, v| q.filter(C::BranchId.eq(v)))
        .apply_if(params.query(), |q, v| {
            q.filter(C::Vin.like(kernel::store::like_prefix(&v.to_uppercase())))
        });
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("receivedAt", C::ReceivedAt),
        ("vin", C::Vin),
    ];
    params
        .fetch(db, select, &sortable, (C::CreatedAt, Order::Desc), C::Vin)
        .await
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    status: UnitStatus,
    units: i64,
}

/// How many units the dealer has in each status (statuses without units are left out).
pub async fn count_by_status(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
) -> DomainResult<Vec<(UnitStatus, i64)>> {
    let counts = Entity::find()
        .select_only()
        .column(Column::Status)
        .column_as(Expr::col(Column::Vin).count(), "units")
        .filter(Column::DealerId.eq(dealer_id))
        .group_by(Column::Status)
        .into_model::<StatusCount>()
        .all(db)
        .await?;
    Ok(counts.into_iter().map(|c| (c.status, c.units)).collect())
}

/// The sellable units of one variant × colour.
pub async fn count_in_stock(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    variant_id: Uuid,
    colour_id: Uuid,
) -> DomainResult<u64> {
    Ok(Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::VariantId.eq(variant_id))
        .filter(Column::ColourId.eq(colour_id))
        .filter(Column::Status.eq(UnitStatus::InStock))
        .count(db)
        .await?)
}

/// Whether the dealer holds the unit `vin` (in any status).
pub async fn is_held_by(
    db: &impl ConnectionTrait,
    vin: &str,
    dealer_id: Uuid,
) -> DomainResult<bool> {
    Ok(Entity::find_by_id(vin.to_owned())
        .one(db)
        .await?
        .is_some_and(|u| u.dealer_id == dealer_id))
}

/// What a sale reserves: a unit of this variant × colour at this dealer, a given VIN or else
/// the longest-held one.
pub struct Wanted<'a> {
    pub dealer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vin: Option<&'a str>,
}

/// Reserves one in-stock unit for `order_id` and names it; `None` when none could be had. The
/// conditional update is the arbiter: of two orders racing for the last unit, the second
/// updates nothing.
pub async fn reserve(
    db: &impl ConnectionTrait,
    wanted: &Wanted<'_>,
    order_id: Uuid,
) -> DomainResult<Option<String>> {
    use Column as C;
    let of_the_line = |condition: sea_orm::Condition| {
        condition
            .add(C::DealerId.eq(wanted.dealer_id))
            .add(C::VariantId.eq(wanted.variant_id))
            .add(C::ColourId.eq(wanted.colour_id))
            .add(C::Status.eq(UnitStatus::InStock))
    };
    let candidates: Vec<String> = match wanted.vin {
        Some(vin) => vec![vin.to_owned()],
        None => {
            let mut select = Entity::find()
                .filter(of_the_line(sea_orm::Condition::all()))
                .order_by_asc(C::ReceivedAt)
                .order_by_asc(C::Vin)
                .limit(5);
            if db.get_database_backend() == DbBackend::Postgres {
                // Racing orders pass over each other's candidates instead of queueing on them.
                select = select.lock_with_behavior(
                    sea_orm::sea_query::LockType::Update,
                    sea_orm::sea_query::LockBehavior::SkipLocked,
                );
            }
            select.all(db).await?.into_iter().map(|u| u.vin).collect()
        }
    };
    for vin in candidates {
        let reserved = Entity::update_many()
            .col_expr(C::Status, Expr::value(UnitStatus::Reserved))
            .col_expr(C::SalesOrderId, Expr::value(order_id))
            .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
            .filter(of_the_line(
                sea_orm::Condition::all().add(C::Vin.eq(vin.as_str())),
            ))
            .exec(db)
            .await?
            .rows_affected;
        if reserved == 1 {
            return Ok(Some(vin));
        }
    }
    Ok(None)
}

/// A cancelled order's reserved unit goes back in stock.
pub async fn release(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(UnitStatus::InStock))
        .col_expr(Column::SalesOrderId, Expr::value(Option::<Uuid>::None))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::SalesOrderId.eq(order_id))
        .filter(Column::Status.eq(UnitStatus::Reserved))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves the unit of an order on (sold when paid, delivered when handed over).
pub async fn set_status_of_order(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    status: UnitStatus,
) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::SalesOrderId.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The unit an order holds.
pub async fn of_order(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::SalesOrderId.eq(order_id))
        .one(db)
        .await?)
}

/// Records a unit the OEM shipped; a unit already known stays as it is (redelivery).
pub async fn add_if_new(db: &impl ConnectionTrait, unit: Model) -> DomainResult<()> {
    Entity::insert(unit.into_active_model())
        .on_conflict(OnConflict::column(Column::Vin).do_nothing().to_owned())
        .do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

/// The dealer confirmed receipt: its units of `vins` still in transit are in stock.
pub async fn receive(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    vins: Vec<String>,
    received_at: DateTime<Utc>,
) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(UnitStatus::InStock))
        .col_expr(Column::ReceivedAt, Expr::value(received_at))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::DealerId.eq(dealer_id))
        .filter(Column::Vin.is_in(vins))
        .filter(Column::Status.eq(UnitStatus::InTransit))
        .exec(db)
        .await?;
    Ok(())
}
