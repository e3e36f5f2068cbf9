//! `customer.test_drives`: bookings of a vehicle for a customer.

use super::{search, Visibility};
use crate::domain::test_drives::TestDriveStatus;
use chrono::{DateTime, Utc};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryOrder, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "test_drives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Uuid,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub vin: Option<String>,
    pub staff_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: TestDriveStatus,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    pub rating: Option<i16>,
    pub feedback_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("test drive", Status);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TestDriveFilter {
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub status: Option<TestDriveStatus>,
    /// Drives starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Drives starting before this time.
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: Visibility,
    filter: &TestDriveFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = scope
        .apply(Entity::find(), Column::DealerId, Column::StaffId)
        .apply_if(filter.branch_id, |q, v| q.filter(Column::BranchId.eq(v)))
        .apply_if(filter.customer_id, |q, v| {
            q.filter(Column::CustomerId.eq(v))
        })
        .apply_if(filter.status, |q, v| q.filter(Column::Status.eq(v)))
        .apply_if(filter.from, |q, v| q.filter(Column::StartsAt.gte(v)))
        .apply_if(filter.to, |q, v| q.filter(Column::StartsAt.lt(v)))
        .apply_if(search::term(params.query()), |select, q| {
            select.filter(
                search::any_contains([Column::Vin, Column::Notes], q)
                    .add(Column::CustomerId.in_subquery(search::customers_named(q))),
            )
        });
    let sortable = [
        ("startsAt", Column::StartsAt),
        ("createdAt", Column::CreatedAt),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::StartsAt, Order::Asc),
            Column::Id,
        )
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// Records the customer's rating of a completed drive, once. `false`: not completed, or rated.
pub async fn rate(
    db: &impl ConnectionTrait,
    id: Uuid,
    rating: i16,
    comment: Option<String>,
) -> DomainResult<bool> {
    let rated = Entity::update_many()
        .col_expr(Column::Rating, Expr::value(rating))
        .col_expr(Column::FeedbackComment, Expr::value(comment))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(TestDriveStatus::Completed))
        .filter(Column::Rating.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(rated == 1)
}

/// Every drive of a customer, earliest first.
pub async fn of_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::CustomerId.eq(customer_id))
        .order_by_asc(Column::StartsAt)
        .all(db)
        .await?)
}

/// Clears the free text of a customer's drives (erasure).
pub async fn forget_notes_of_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
) -> DomainResult<()> {
    let none = || Expr::value(Option::<String>::None);
    Entity::update_many()
        .col_expr(Column::Notes, none())
        .col_expr(Column::CancelReason, none())
        .col_expr(Column::FeedbackComment, none())
        .filter(Column::CustomerId.eq(customer_id))
        .exec(db)
        .await?;
    Ok(())
}
