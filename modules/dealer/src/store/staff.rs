//! `dealer.staff`: who works for which dealer, kept in step with auth's user events.

use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Order, QueryTrait, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "dealer", table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    /// The user's role as auth names it.
    pub role: String,
    pub active: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The dealer's staff by name; `q` searches the name.
pub async fn list(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = Entity::find()
        .filter(Column::DealerId.eq(dealer_id))
        .apply_if(params.query(), |q, v| {
            q.filter(kernel::store::contains_ignoring_case(Column::Name, v))
        });
    params
        .fetch(
            db,
            select,
            &[("name", Column::Name)],
            (Column::Name, Order::Asc),
            Column::UserId,
        )
        .await
}

/// Records a staff member (again): a redelivered or changed user overwrites what is known.
pub async fn upsert(db: &impl ConnectionTrait, member: Model) -> DomainResult<()> {
    let row = ActiveModel {
        user_id: Set(member.user_id),
        dealer_id: Set(member.dealer_id),
        branch_id: Set(member.branch_id),
        name: Set(member.name),
        email: Set(member.email),
        role: Set(member.role),
        active: Set(member.active),
        updated_at: Set(member.updated_at),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::UserId)
                .update_columns([
                    Column::DealerId,
                    Column::BranchId,
                    Column::Name,
                    Column::Email,
                    Column::Role,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The user left: they stay listed, inactive.
pub async fn deactivate(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Active, Expr::value(false))
        .col_expr(Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
