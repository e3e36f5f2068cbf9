//! `customer.feedback`: feedback and complaints, assigned to a person.

use crate::domain::feedback::{FeedbackChannel, FeedbackKind, FeedbackStatus, Severity};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Condition, Order, QueryOrder, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub channel: FeedbackChannel,
    pub subject: String,
    pub description: Option<String>,
    pub status: FeedbackStatus,
    pub assigned_to: Option<Uuid>,
    pub resolution: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("case", Status);

impl Model {
    /// Dealer staff see the cases they filed or were given; managers all of their dealer's.
    pub fn involves(&self, person: Uuid) -> bool {
        self.created_by == person || self.assigned_to == Some(person)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedbackFilter {
    pub dealer_id: Option<Uuid>,
    pub status: Option<FeedbackStatus>,
    pub kind: Option<FeedbackKind>,
    pub severity: Option<Severity>,
    pub assigned_to: Option<Uuid>,
    pub customer_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: super::Visibility,
    filter: &FeedbackFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    // Dealer staff see the cases they filed or were given.
    let select = Entity::find()
        .apply_if(scope.dealer_id, |q, v| q.filter(Column::DealerId.eq(v)))
        .apply_if(scope.own_only, |q, person| {
            q.filter(
                Condition::any()
                    .add(Column::CreatedBy.eq(person))
                    .add(Column::AssignedTo.eq(person)),
            )
        })
        .apply_if(filter.status, |q, v| q.filter(Column::Status.eq(v)))
        .apply_if(filter.kind, |q, v| q.filter(Column::Kind.eq(v)))
        .apply_if(filter.severity, |q, v| q.filter(Column::Severity.eq(v)))
        .apply_if(filter.assigned_to, |q, v| {
            q.filter(Column::AssignedTo.eq(v))
        })
        .apply_if(filter.customer_id, |q, v| {
            q.filter(Column::CustomerId.eq(v))
        })
        .apply_if(super::search::term(params.query()), |select, q| {
            select.filter(super::search::any_contains(
                [Column::Subject, Column::Description, Column::Resolution],
                q,
            ))
        });
    let sortable = [
        ("createdAt", Column::CreatedAt),
        ("severity", Column::Severity),
        ("status", Column::Status),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::CreatedAt, Order::Desc),
            Column::Id,
        )
        .await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// Gives the case to `assignee`, unless it was closed meanwhile. `false`: it was.
pub async fn assign(db: &impl ConnectionTrait, id: Uuid, assignee: Uuid) -> DomainResult<bool> {
    let assigned = Entity::update_many()
        .col_expr(Column::AssignedTo, Expr::value(assignee))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.ne(FeedbackStatus::Closed))
        .exec(db)
        .await?
        .rows_affected;
    Ok(assigned == 1)
}

/// Every case of a customer, oldest first.
pub async fn of_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::CustomerId.eq(customer_id))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?)
}

/// Clears what a customer's cases say (erasure); kinds, severities and times stay.
pub async fn forget_text_of_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
) -> DomainResult<()> {
    let none = || Expr::value(Option::<String>::None);
    Entity::update_many()
        .col_expr(Column::Subject, Expr::value("(erased)"))
        .col_expr(Column::Description, none())
        .col_expr(Column::Resolution, none())
        .filter(Column::CustomerId.eq(customer_id))
        .exec(db)
        .await?;
    Ok(())
}
