//! `dealer.instalments`: an order's payment schedule (number 0 is the down payment).

use crate::domain::payments::Instalment;
use chrono::{NaiveDate, Utc};
use contracts::Money;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "instalments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub number: i32,
    pub due_date: Date,
    /// Minor units.
    pub amount: i64,
    pub paid: i64,
    pub overdue_notified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn instalment(&self) -> Instalment {
        Instalment {
            id: self.id,
            due_date: self.due_date,
            amount: Money(self.amount),
            paid: Money(self.paid),
        }
    }
}

/// The order's schedule in order.
pub async fn of_order(db: &impl ConnectionTrait, order_id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::OrderId.eq(order_id))
        .order_by_asc(Column::Number)
        .all(db)
        .await?)
}

pub async fn set_paid(db: &impl ConnectionTrait, id: Uuid, paid: Money) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Paid, Expr::value(paid.0))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Instalments due before `today`, not fully paid, not yet announced as overdue.
pub async fn overdue_unannounced(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> DomainResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::DueDate.lt(today))
        .filter(Column::OverdueNotifiedAt.is_null())
        .filter(Expr::col(Column::Paid).lt(Expr::col(Column::Amount)))
        .all(db)
        .await?)
}

/// Marks the instalment as announced overdue, once. `false`: a racing sweep did it first.
pub async fn mark_overdue_announced(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<bool> {
    let marked = Entity::update_many()
        .col_expr(Column::OverdueNotifiedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(id))
        .filter(Column::OverdueNotifiedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(marked == 1)
}
