//! Dealer orders to the OEM and their lines.

pub mod dealer_orders {
    use crate::domain::lifecycle::OrderStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        pub status: OrderStatus,
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

    kernel::tracked!("dealer order", Status);
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
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, QueryOrder, QueryTrait,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// OEM staff only; dealer managers always see their own dealer's orders.
    pub dealer_id: Option<Uuid>,
}

/// Orders of one dealer (or all), `q` searching the order number.
pub async fn list(
    db: &impl ConnectionTrait,
    dealer: Option<Uuid>,
    filter: &OrderFilter,
    params: &ListParams,
) -> DomainResult<Page<dealer_orders::Model>> {
    use dealer_orders::Column as C;
    let select = dealer_orders::Entity::find()
        .apply_if(dealer, |q, d| q.filter(C::DealerId.eq(d)))
        .apply_if(filter.status, |q, s| q.filter(C::Status.eq(s)))
        .apply_if(params.query(), |q, v| {
            q.filter(C::Number.like(kernel::store::like_contains(&v.to_uppercase())))
        });
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("total", C::Total),
        ("number", C::Number),
        ("status", C::Status),
    ];
    params
        .fetch(db, select, &sortable, (C::CreatedAt, Order::Desc), C::Id)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<dealer_orders::Model>> {
    Ok(dealer_orders::Entity::find_by_id(id).one(db).await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    order: dealer_orders::Model,
) -> DomainResult<dealer_orders::Model> {
    Ok(dealer_orders::ActiveModel::from(order).insert(db).await?)
}

pub async fn insert_line(
    db: &impl ConnectionTrait,
    line: dealer_order_lines::Model,
) -> DomainResult<dealer_order_lines::Model> {
    Ok(dealer_order_lines::ActiveModel::from(line)
        .insert(db)
        .await?)
}

/// The lines of an order.
pub async fn lines_of(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> DomainResult<Vec<dealer_order_lines::Model>> {
    Ok(dealer_order_lines::Entity::find()
        .filter(dealer_order_lines::Column::OrderId.eq(order_id))
        .order_by_asc(dealer_order_lines::Column::Id)
        .all(db)
        .await?)
}

/// Links the order to the invoice its shipment raised.
pub async fn set_invoice(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    invoice_id: Uuid,
) -> DomainResult<()> {
    dealer_orders::Entity::update_many()
        .col_expr(dealer_orders::Column::InvoiceId, Expr::value(invoice_id))
        .filter(dealer_orders::Column::Id.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Totals of the dealer's orders that commit its credit (approved, not yet invoiced).
pub async fn committed_totals(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
) -> DomainResult<Vec<i64>> {
    Ok(dealer_orders::Entity::find()
        .filter(dealer_orders::Column::DealerId.eq(dealer_id))
        .filter(dealer_orders::Column::Status.is_in(OrderStatus::COMMITTED))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.total)
        .collect())
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
