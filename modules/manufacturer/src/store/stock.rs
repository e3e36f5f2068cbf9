//! OEM stock units by VIN, the ledger of their moves, and low-stock thresholds.

pub mod oem_stock {
    use crate::domain::lifecycle::StockUnitStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "oem_stock")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub vin: String,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        pub status: StockUnitStatus,
        pub order_id: Option<Uuid>,
        pub location: String,
        /// What the dealer pays for it once allocated (minor units); 0 before.
        pub unit_price: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stock_ledger {
    use crate::domain::lifecycle::StockUnitStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "stock_ledger")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub vin: String,
        /// produce | receive | allocate | ship | deliver | release
        pub movement: String,
        pub from_status: Option<StockUnitStatus>,
        pub to_status: StockUnitStatus,
        pub order_id: Option<Uuid>,
        pub actor_id: Option<Uuid>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stock_thresholds {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "stock_thresholds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub colour_id: Uuid,
        pub threshold: i32,
        pub low: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use crate::domain::lifecycle::StockUnitStatus;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub status: Option<StockUnitStatus>,
    pub variant_id: Option<Uuid>,
    pub colour_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
}

/// Units by VIN (`q` = VIN prefix).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &UnitFilter,
    params: &ListParams,
) -> DomainResult<Page<oem_stock::Model>> {
    use oem_stock::Column as C;
    let select = oem_stock::Entity::find()
        .apply_if(filter.status, |q, v| q.filter(C::Status.eq(v)))
        .apply_if(filter.variant_id, |q, v| q.filter(C::VariantId.eq(v)))
        .apply_if(filter.colour_id, |q, v| q.filter(C::ColourId.eq(v)))
        .apply_if(filter.order_id, |q, v| q.filter(C::OrderId.eq(v)))
        .apply_if(params.query(), |q, v| {
            q.filter(C::Vin.like(kernel::store::like_prefix(&v.to_uppercase())))
        });
    let sortable = [
        ("vin", C::Vin),
        ("updatedAt", C::UpdatedAt),
        ("createdAt", C::CreatedAt),
    ];
    params
        .fetch(db, select, &sortable, (C::CreatedAt, Order::Asc), C::Vin)
        .await
}

pub async fn find(db: &impl ConnectionTrait, vin: &str) -> DomainResult<Option<oem_stock::Model>> {
    Ok(oem_stock::Entity::find_by_id(vin.to_owned())
        .one(db)
        .await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    unit: oem_stock::Model,
) -> Result<oem_stock::Model, sea_orm::DbErr> {
    oem_stock::ActiveModel::from(unit).insert(db).await
}

/// A unit's moves, oldest first.
pub async fn ledger_of(
    db: &impl ConnectionTrait,
    vin: &str,
) -> DomainResult<Vec<stock_ledger::Model>> {
    Ok(stock_ledger::Entity::find()
        .filter(stock_ledger::Column::Vin.eq(vin))
        .order_by_asc(stock_ledger::Column::At)
        .order_by_asc(stock_ledger::Column::Id)
        .all(db)
        .await?)
}

/// Records one move of a unit.
pub async fn record_move(
    db: &impl ConnectionTrait,
    vin: &str,
    movement: &str,
    from: Option<StockUnitStatus>,
    to: StockUnitStatus,
    order_id: Option<Uuid>,
    actor_id: Option<Uuid>,
) -> DomainResult<()> {
    stock_ledger::ActiveModel {
        id: Set(Uuid::now_v7()),
        vin: Set(vin.to_owned()),
        movement: Set(movement.to_owned()),
        from_status: Set(from),
        to_status: Set(to),
        order_id: Set(order_id),
        actor_id: Set(actor_id),
        at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves one unit from `from` to `to` only while it is still in `from`. `false`: it was not
/// (another request moved it first, or it never was).
pub async fn move_unit(
    db: &impl ConnectionTrait,
    vin: &str,
    from: StockUnitStatus,
    to: StockUnitStatus,
) -> DomainResult<bool> {
    let moved = oem_stock::Entity::update_many()
        .col_expr(oem_stock::Column::Status, Expr::value(to))
        .col_expr(
            oem_stock::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(oem_stock::Column::Vin.eq(vin))
        .filter(oem_stock::Column::Status.eq(from))
        .exec(db)
        .await?
        .rows_affected;
    Ok(moved == 1)
}

/// Allocates a warehouse unit to an order at the order line's price, only while it is still in
/// the warehouse: of two allocations of one VIN, one gets `true`.
pub async fn allocate(
    db: &impl ConnectionTrait,
    vin: &str,
    order_id: Uuid,
    unit_price: i64,
) -> DomainResult<bool> {
    let moved = oem_stock::Entity::update_many()
        .col_expr(
            oem_stock::Column::Status,
            Expr::value(StockUnitStatus::Allocated),
        )
        .col_expr(oem_stock::Column::OrderId, Expr::value(order_id))
        .col_expr(oem_stock::Column::UnitPrice, Expr::value(unit_price))
        .col_expr(
            oem_stock::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(oem_stock::Column::Vin.eq(vin))
        .filter(oem_stock::Column::Status.eq(StockUnitStatus::InWarehouse))
        .exec(db)
        .await?
        .rows_affected;
    Ok(moved == 1)
}

/// The oldest `limit` warehouse units of a variant × colour; on Postgres rows another
/// allocation holds are skipped (and these are locked until the transaction ends).
pub async fn oldest_in_warehouse(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    colour_id: Uuid,
    limit: u64,
) -> DomainResult<Vec<oem_stock::Model>> {
    let mut select = oem_stock::Entity::find()
        .filter(oem_stock::Column::VariantId.eq(variant_id))
        .filter(oem_stock::Column::ColourId.eq(colour_id))
        .filter(oem_stock::Column::Status.eq(StockUnitStatus::InWarehouse))
        .order_by_asc(oem_stock::Column::CreatedAt)
        .order_by_asc(oem_stock::Column::Vin)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(select.all(db).await?)
}

/// The units of an order in a status, by VIN.
pub async fn of_order(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    status: Option<StockUnitStatus>,
) -> DomainResult<Vec<oem_stock::Model>> {
    Ok(oem_stock::Entity::find()
        .filter(oem_stock::Column::OrderId.eq(order_id))
        .apply_if(status, |q, s| q.filter(oem_stock::Column::Status.eq(s)))
        .order_by_asc(oem_stock::Column::Vin)
        .all(db)
        .await?)
}

/// Moves every unit of the order in `from` to `to`.
pub async fn move_order_units(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    from: StockUnitStatus,
    to: StockUnitStatus,
) -> DomainResult<()> {
    oem_stock::Entity::update_many()
        .col_expr(oem_stock::Column::Status, Expr::value(to))
        .col_expr(
            oem_stock::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(oem_stock::Column::OrderId.eq(order_id))
        .filter(oem_stock::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(())
}

/// How many units of a variant × colour are in the warehouse.
pub async fn count_in_warehouse(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    colour_id: Uuid,
) -> DomainResult<i64> {
    let count = oem_stock::Entity::find()
        .filter(oem_stock::Column::VariantId.eq(variant_id))
        .filter(oem_stock::Column::ColourId.eq(colour_id))
        .filter(oem_stock::Column::Status.eq(StockUnitStatus::InWarehouse))
        .count(db)
        .await?;
    Ok(i64::try_from(count).unwrap_or(i64::MAX))
}

/// Units per variant × colour × status.
#[derive(Debug, FromQueryResult)]
pub struct LevelRow {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub status: StockUnitStatus,
    pub units: i64,
}

pub async fn level_rows(
    db: &impl ConnectionTrait,
    variant_id: Option<Uuid>,
) -> DomainResult<Vec<LevelRow>> {
    use oem_stock::Column as C;
    Ok(oem_stock::Entity::find()
        .select_only()
        .column(C::VariantId)
        .column(C::ColourId)
        .column(C::Status)
        .column_as(Expr::col(C::Vin).count(), "units")
        .group_by(C::VariantId)
        .group_by(C::ColourId)
        .group_by(C::Status)
        .apply_if(variant_id, |q, v| q.filter(C::VariantId.eq(v)))
        .into_model::<LevelRow>()
        .all(db)
        .await?)
}

pub async fn thresholds(db: &impl ConnectionTrait) -> DomainResult<Vec<stock_thresholds::Model>> {
    Ok(stock_thresholds::Entity::find().all(db).await?)
}

pub async fn threshold(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    colour_id: Uuid,
) -> DomainResult<Option<stock_thresholds::Model>> {
    Ok(
        stock_thresholds::Entity::find_by_id((variant_id, colour_id))
            .one(db)
            .await?,
    )
}

/// Sets a threshold (keeping the low flag of an existing one; a new one starts not low).
pub async fn upsert_threshold(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    colour_id: Uuid,
    threshold: i32,
) -> DomainResult<()> {
    stock_thresholds::Entity::insert(stock_thresholds::ActiveModel {
        variant_id: Set(variant_id),
        colour_id: Set(colour_id),
        threshold: Set(threshold),
        low: Set(false),
    })
    .on_conflict(
        OnConflict::columns([
            stock_thresholds::Column::VariantId,
            stock_thresholds::Column::ColourId,
        ])
        .update_column(stock_thresholds::Column::Threshold)
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// Sets the low flag only if it is not already `low`: `true` when this call flipped it, so
/// "announce once" holds under concurrent moves.
pub async fn flip_low(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
    colour_id: Uuid,
    low: bool,
) -> DomainResult<bool> {
    let flipped = stock_thresholds::Entity::update_many()
        .col_expr(stock_thresholds::Column::Low, Expr::value(low))
        .filter(stock_thresholds::Column::VariantId.eq(variant_id))
        .filter(stock_thresholds::Column::ColourId.eq(colour_id))
        .filter(stock_thresholds::Column::Low.eq(!low))
        .exec(db)
        .await?
        .rows_affected;
    Ok(flipped == 1)
}

/// The model a variant belongs to, if the variant exists.
pub async fn model_of_variant(
    db: &impl ConnectionTrait,
    variant_id: Uuid,
) -> DomainResult<Option<Uuid>> {
    Ok(super::variants::Entity::find_by_id(variant_id)
        .one(db)
        .await?
        .map(|v| v.model_id))
}

/// The model a colour belongs to, if the colour exists.
pub async fn model_of_colour(
    db: &impl ConnectionTrait,
    colour_id: Uuid,
) -> DomainResult<Option<Uuid>> {
    Ok(super::colours::Entity::find_by_id(colour_id)
        .one(db)
        .await?
        .map(|c| c.model_id))
}
