//! Dealer orders to the OEM and their lines.

pub mod dealer_orders {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        /// See `domain::lifecycle::OrderStatus`.
        pub status: String,
        pub placed_by: Uuid,
        /// Minor units.
        pub total: i64,
        pub note: Option<String>,
        /// Why it was rejected, cancelled or disputed, and how a dispute was resolved.
        pub status_reason: Option<String>,
        pub invoice_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_order_lines {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        pub quantity: i32,
        /// Minor units, priced when the order was placed.
        pub unit_price: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use crate::domain::lifecycle::OrderStatus;
use kernel::{ApiError, WriteTxn};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Moves an order from `from` to `to` only if it is still in `from`: of two racing requests,
/// the second finds nothing to update and gets a 409.
pub async fn advance(
    txn: &WriteTxn,
    order: &dealer_orders::Model,
    from: OrderStatus,
    to: OrderStatus,
    reason: Option<String>,
) -> Result<(), ApiError> {
    let mut update = dealer_orders::Entity::update_many()
        .col_expr(dealer_orders::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            dealer_orders::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .col_expr(
            dealer_orders::Column::Version,
            Expr::col(dealer_orders::Column::Version).add(1),
        );
    if let Some(reason) = reason {
        update = update.col_expr(dealer_orders::Column::StatusReason, Expr::value(reason));
    }
    let moved = update
        .filter(dealer_orders::Column::Id.eq(order.id))
        .filter(dealer_orders::Column::Status.eq(from.as_str()))
        .exec(&**txn)
        .await?
        .rows_affected;
    if moved == 1 {
        Ok(())
    } else {
        Err(ApiError::conflict(format!(
            "dealer order {} changed while this request ran; reload it",
            order.number
        )))
    }
}

/// The lines of an order.
pub async fn lines_of(
    db: &impl sea_orm::ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<dealer_order_lines::Model>, ApiError> {
    use sea_orm::QueryOrder;
    Ok(dealer_order_lines::Entity::find()
        .filter(dealer_order_lines::Column::OrderId.eq(order_id))
        .order_by_asc(dealer_order_lines::Column::Id)
        .all(db)
        .await?)
}

/// `prefix-YYYYMMDD-XXXXXX` from a UUIDv7's random tail: unique enough with the unique index,
/// readable on the phone.
pub fn document_number(prefix: &str, id: Uuid) -> String {
    let tail = id.simple().to_string();
    let tail = tail
        .get(tail.len() - 8..)
        .unwrap_or_default()
        .to_uppercase();
    format!("{prefix}-{}-{tail}", chrono::Utc::now().format("%Y%m%d"))
}
