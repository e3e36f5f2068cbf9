//! OEM stock units by VIN, the ledger of their moves, and low-stock thresholds.

pub mod oem_stock {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "oem_stock")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub vin: String,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        /// in_production | in_warehouse | allocated | in_transit | delivered
        pub status: String,
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
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "stock_ledger")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub vin: String,
        /// produce | receive | allocate | ship | deliver | release
        pub movement: String,
        pub from_status: Option<String>,
        pub to_status: String,
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

use crate::domain::lifecycle::stock;
use contracts::events::manufacturer::OemStockLow;
use kernel::{ApiError, WriteTxn};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

/// Records one move of a unit.
pub async fn record_move(
    txn: &WriteTxn,
    vin: &str,
    movement: &str,
    from: Option<&str>,
    to: &str,
    order_id: Option<Uuid>,
    actor_id: Option<Uuid>,
) -> Result<(), ApiError> {
    stock_ledger::ActiveModel {
        id: Set(Uuid::now_v7()),
        vin: Set(vin.to_owned()),
        movement: Set(movement.to_owned()),
        from_status: Set(from.map(str::to_owned)),
        to_status: Set(to.to_owned()),
        order_id: Set(order_id),
        actor_id: Set(actor_id),
        at: Set(chrono::Utc::now()),
    }
    .insert(&**txn)
    .await?;
    Ok(())
}

/// Re-evaluates the low-stock flag of a variant × colour after a move: publishes
/// `stock_low` once when the warehouse level crosses down to its threshold, and re-arms when it
/// rises above. The conditional update makes "once" hold under concurrent moves.
pub async fn check_low_stock(
    txn: &mut WriteTxn,
    variant_id: Uuid,
    colour_id: Uuid,
) -> Result<(), ApiError> {
    let Some(threshold) = stock_thresholds::Entity::find_by_id((variant_id, colour_id))
        .one(&**txn)
        .await?
    else {
        return Ok(());
    };
    let available = oem_stock::Entity::find()
        .filter(oem_stock::Column::VariantId.eq(variant_id))
        .filter(oem_stock::Column::ColourId.eq(colour_id))
        .filter(oem_stock::Column::Status.eq(stock::IN_WAREHOUSE))
        .count(&**txn)
        .await?;
    let available = i64::try_from(available).unwrap_or(i64::MAX);
    let low = available <= i64::from(threshold.threshold);
    let flipped = stock_thresholds::Entity::update_many()
        .col_expr(stock_thresholds::Column::Low, Expr::value(low))
        .filter(stock_thresholds::Column::VariantId.eq(variant_id))
        .filter(stock_thresholds::Column::ColourId.eq(colour_id))
        .filter(stock_thresholds::Column::Low.eq(!low))
        .exec(&**txn)
        .await?
        .rows_affected;
    if low && flipped == 1 {
        let event = OemStockLow {
            variant_id,
            colour_id,
            available,
            threshold: i64::from(threshold.threshold),
        };
        kernel::events::publish(txn, &event).await?;
    }
    Ok(())
}
