//! Dealer contracts, invoices and payments: what each dealer owes the OEM.

pub mod dealer_contracts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_contracts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        pub starts_on: Date,
        pub ends_on: Date,
        pub sales_target_units: i32,
        /// Minor units.
        pub credit_limit: i64,
        pub wholesale_discount_bp: i32,
        pub payment_terms_days: i32,
        /// active | terminated
        pub status: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_invoices {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_invoices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        pub order_id: Uuid,
        pub amount: i64,
        pub paid: i64,
        /// unpaid | partially_paid | paid
        pub status: String,
        pub due_date: Date,
        pub overdue_notified_at: Option<DateTimeUtc>,
        pub issued_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_payments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub invoice_id: Uuid,
        pub dealer_id: Uuid,
        pub amount: i64,
        /// transfer | card | cash | offset
        pub method: String,
        pub reference: String,
        /// pending (reported by the dealer) | confirmed | rejected
        pub status: String,
        pub recorded_by: Uuid,
        pub confirmed_by: Option<Uuid>,
        pub received_at: DateTimeUtc,
        pub confirmed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use crate::domain::lifecycle::OrderStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The dealer's contract in force today.
#[tracing::instrument(skip(db))]
pub async fn active_contract(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
) -> Result<Option<dealer_contracts::Model>, DbErr> {
    let today = chrono::Utc::now().date_naive();
    dealer_contracts::Entity::find()
        .filter(dealer_contracts::Column::DealerId.eq(dealer_id))
        .filter(dealer_contracts::Column::Status.eq("active"))
        .filter(dealer_contracts::Column::StartsOn.lte(today))
        .filter(dealer_contracts::Column::EndsOn.gte(today))
        .order_by_desc(dealer_contracts::Column::StartsOn)
        .one(db)
        .await
}

/// What the dealer owes or has committed to: unpaid invoice amounts plus approved orders not
/// yet invoiced. Credit checks compare this with the contract's limit.
#[tracing::instrument(skip(db))]
pub async fn credit_used(db: &impl ConnectionTrait, dealer_id: Uuid) -> Result<i64, DbErr> {
    let invoices = dealer_invoices::Entity::find()
        .filter(dealer_invoices::Column::DealerId.eq(dealer_id))
        .filter(dealer_invoices::Column::Status.ne("paid"))
        .all(db)
        .await?;
    let committed = super::dealer_orders::Entity::find()
        .filter(super::dealer_orders::Column::DealerId.eq(dealer_id))
        .filter(
            super::dealer_orders::Column::Status
                .is_in(OrderStatus::COMMITTED.map(OrderStatus::as_str)),
        )
        .all(db)
        .await?;
    let owed: i64 = invoices.iter().map(|i| i.amount - i.paid).sum();
    let open: i64 = committed.iter().map(|o| o.total).sum();
    Ok(owed.saturating_add(open))
}
