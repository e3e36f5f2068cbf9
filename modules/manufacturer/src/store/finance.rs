//! Dealer contracts, invoices and payments: what each dealer owes the OEM.

pub mod dealer_contracts {
    use crate::domain::dealer_contracts::DealerContractStatus;
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
        pub status: DealerContractStatus,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_invoices {
    use crate::domain::lifecycle::InvoiceStatus;
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
        pub status: InvoiceStatus,
        pub due_date: Date,
        pub overdue_notified_at: Option<DateTimeUtc>,
        pub issued_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_payments {
    use crate::domain::lifecycle::{DealerPaymentMethod, PaymentStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "manufacturer", table_name = "dealer_payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub invoice_id: Uuid,
        pub dealer_id: Uuid,
        pub amount: i64,
        pub method: DealerPaymentMethod,
        pub reference: String,
        pub status: PaymentStatus,
        pub recorded_by: Uuid,
        pub confirmed_by: Option<Uuid>,
        pub received_at: DateTimeUtc,
        pub confirmed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use crate::domain::{
    dealer_contracts::DealerContractStatus,
    lifecycle::{InvoiceStatus, PaymentStatus},
};
use chrono::NaiveDate;
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Deserialize;
use utoipa::IntoParams;
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
        .filter(dealer_contracts::Column::Status.eq(DealerContractStatus::Active))
        .filter(dealer_contracts::Column::StartsOn.lte(today))
        .filter(dealer_contracts::Column::EndsOn.gte(today))
        .order_by_desc(dealer_contracts::Column::StartsOn)
        .one(db)
        .await
}

/// Takes the contract's row lock until the transaction ends (Postgres; SQLite transactions
/// already write one at a time), so two approvals of one dealer cannot both fit under the same
/// limit.
pub async fn lock_contract(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        dealer_contracts::Entity::find_by_id(id)
            .lock_exclusive()
            .one(db)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ContractFilter {
    /// OEM staff only; dealer roles always see their own dealer's.
    pub dealer_id: Option<Uuid>,
    pub status: Option<DealerContractStatus>,
}

pub async fn list_contracts(
    db: &impl ConnectionTrait,
    dealer: Option<Uuid>,
    filter: &ContractFilter,
    params: &ListParams,
) -> DomainResult<Page<dealer_contracts::Model>> {
    use dealer_contracts::Column as C;
    let select = dealer_contracts::Entity::find()
        .apply_if(dealer, |q, d| q.filter(C::DealerId.eq(d)))
        .apply_if(filter.status, |q, s| q.filter(C::Status.eq(s)));
    let sortable = [
        ("startsOn", C::StartsOn),
        ("endsOn", C::EndsOn),
        ("number", C::Number),
    ];
    params
        .fetch(db, select, &sortable, (C::StartsOn, Order::Desc), C::Id)
        .await
}

pub async fn find_contract(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<dealer_contracts::Model>> {
    Ok(dealer_contracts::Entity::find_by_id(id).one(db).await?)
}

/// An active contract of the dealer whose period overlaps `starts_on..=ends_on`.
pub async fn overlapping_contract(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> DomainResult<Option<dealer_contracts::Model>> {
    Ok(dealer_contracts::Entity::find()
        .filter(dealer_contracts::Column::DealerId.eq(dealer_id))
        .filter(dealer_contracts::Column::Status.eq(DealerContractStatus::Active))
        .filter(dealer_contracts::Column::StartsOn.lte(ends_on))
        .filter(dealer_contracts::Column::EndsOn.gte(starts_on))
        .one(db)
        .await?)
}

pub async fn insert_contract(
    db: &impl ConnectionTrait,
    contract: dealer_contracts::Model,
) -> DomainResult<dealer_contracts::Model> {
    Ok(dealer_contracts::ActiveModel::from(contract)
        .insert(db)
        .await?)
}

/// Moves a contract from `from` to `to` only while it is still `from`; `false` otherwise.
pub async fn change_contract_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: DealerContractStatus,
    to: DealerContractStatus,
) -> DomainResult<bool> {
    let moved = dealer_contracts::Entity::update_many()
        .col_expr(dealer_contracts::Column::Status, Expr::value(to))
        .filter(dealer_contracts::Column::Id.eq(id))
        .filter(dealer_contracts::Column::Status.eq(from))
        .exec(db)
        .await?
        .rows_affected;
    Ok(moved == 1)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    pub dealer_id: Option<Uuid>,
    pub status: Option<InvoiceStatus>,
    /// Only invoices past due with money outstanding.
    #[serde(default, deserialize_with = "kernel::pagination::bool_or_string")]
    pub overdue: Option<bool>,
}

pub async fn list_invoices(
    db: &impl ConnectionTrait,
    dealer: Option<Uuid>,
    filter: &InvoiceFilter,
    params: &ListParams,
    today: NaiveDate,
) -> DomainResult<Page<dealer_invoices::Model>> {
    use dealer_invoices::Column as C;
    let select = dealer_invoices::Entity::find()
        .apply_if(dealer, |q, d| q.filter(C::DealerId.eq(d)))
        .apply_if(filter.status, |q, s| q.filter(C::Status.eq(s)))
        .apply_if(filter.overdue.filter(|o| *o), |q, _| {
            q.filter(C::Status.ne(InvoiceStatus::Paid))
                .filter(C::DueDate.lt(today))
        });
    let sortable = [
        ("dueDate", C::DueDate),
        ("issuedAt", C::IssuedAt),
        ("amount", C::Amount),
    ];
    params
        .fetch(db, select, &sortable, (C::IssuedAt, Order::Desc), C::Id)
        .await
}

pub async fn find_invoice(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<dealer_invoices::Model>> {
    Ok(dealer_invoices::Entity::find_by_id(id).one(db).await?)
}

pub async fn insert_invoice(
    db: &impl ConnectionTrait,
    invoice: dealer_invoices::Model,
) -> DomainResult<dealer_invoices::Model> {
    Ok(dealer_invoices::ActiveModel::from(invoice)
        .insert(db)
        .await?)
}

/// Invoices not fully paid, of one dealer or all.
pub async fn unpaid_invoices(
    db: &impl ConnectionTrait,
    dealer: Option<Uuid>,
) -> DomainResult<Vec<dealer_invoices::Model>> {
    Ok(dealer_invoices::Entity::find()
        .filter(dealer_invoices::Column::Status.ne(InvoiceStatus::Paid))
        .apply_if(dealer, |q, d| {
            q.filter(dealer_invoices::Column::DealerId.eq(d))
        })
        .all(db)
        .await?)
}

/// Invoices past due on `today`, not fully paid and not yet announced as overdue.
pub async fn overdue_unannounced(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> DomainResult<Vec<dealer_invoices::Model>> {
    Ok(dealer_invoices::Entity::find()
        .filter(dealer_invoices::Column::Status.ne(InvoiceStatus::Paid))
        .filter(dealer_invoices::Column::DueDate.lt(today))
        .filter(dealer_invoices::Column::OverdueNotifiedAt.is_null())
        .order_by_asc(dealer_invoices::Column::DueDate)
        .all(db)
        .await?)
}

/// Marks the invoice announced as overdue unless it already is: `true` for the one sweep that
/// marked it.
pub async fn mark_overdue_announced(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<bool> {
    let won = dealer_invoices::Entity::update_many()
        .col_expr(
            dealer_invoices::Column::OverdueNotifiedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(dealer_invoices::Column::Id.eq(id))
        .filter(dealer_invoices::Column::OverdueNotifiedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(won == 1)
}

/// Adds `amount` to what was paid of the invoice, only if that does not exceed its amount (so
/// two racing confirmations cannot overpay); `false` when it would.
pub async fn add_paid(db: &impl ConnectionTrait, id: Uuid, amount: i64) -> DomainResult<bool> {
    let applied = dealer_invoices::Entity::update_many()
        .col_expr(
            dealer_invoices::Column::Paid,
            Expr::col(dealer_invoices::Column::Paid).add(amount),
        )
        .filter(dealer_invoices::Column::Id.eq(id))
        .filter(
            Expr::expr(Expr::col(dealer_invoices::Column::Paid).add(amount))
                .lte(Expr::col(dealer_invoices::Column::Amount)),
        )
        .exec(db)
        .await?
        .rows_affected;
    Ok(applied == 1)
}

pub async fn set_invoice_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: InvoiceStatus,
) -> DomainResult<()> {
    dealer_invoices::Entity::update_many()
        .col_expr(dealer_invoices::Column::Status, Expr::value(status))
        .filter(dealer_invoices::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// `(amount, paid)` of the dealer's invoices not fully paid.
pub async fn outstanding_of(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
) -> DomainResult<Vec<(i64, i64)>> {
    Ok(unpaid_invoices(db, Some(dealer_id))
        .await?
        .into_iter()
        .map(|i| (i.amount, i.paid))
        .collect())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub dealer_id: Option<Uuid>,
    pub invoice_id: Option<Uuid>,
    pub status: Option<PaymentStatus>,
}

pub async fn list_payments(
    db: &impl ConnectionTrait,
    dealer: Option<Uuid>,
    filter: &PaymentFilter,
    params: &ListParams,
) -> DomainResult<Page<dealer_payments::Model>> {
    use dealer_payments::Column as C;
    let select = dealer_payments::Entity::find()
        .apply_if(dealer, |q, d| q.filter(C::DealerId.eq(d)))
        .apply_if(filter.invoice_id, |q, v| q.filter(C::InvoiceId.eq(v)))
        .apply_if(filter.status, |q, s| q.filter(C::Status.eq(s)));
    params
        .fetch(
            db,
            select,
            &[("receivedAt", C::ReceivedAt), ("amount", C::Amount)],
            (C::ReceivedAt, Order::Desc),
            C::Id,
        )
        .await
}

pub async fn find_payment(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<dealer_payments::Model>> {
    Ok(dealer_payments::Entity::find_by_id(id).one(db).await?)
}

pub async fn insert_payment(
    db: &impl ConnectionTrait,
    payment: dealer_payments::Model,
) -> DomainResult<dealer_payments::Model> {
    Ok(dealer_payments::ActiveModel::from(payment)
        .insert(db)
        .await?)
}

/// Confirms a pending payment, only while it is still pending; `false` otherwise.
pub async fn confirm_payment(db: &impl ConnectionTrait, id: Uuid, by: Uuid) -> DomainResult<bool> {
    let moved = dealer_payments::Entity::update_many()
        .col_expr(
            dealer_payments::Column::Status,
            Expr::value(PaymentStatus::Confirmed),
        )
        .col_expr(dealer_payments::Column::ConfirmedBy, Expr::value(by))
        .col_expr(
            dealer_payments::Column::ConfirmedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(dealer_payments::Column::Id.eq(id))
        .filter(dealer_payments::Column::Status.eq(PaymentStatus::Pending))
        .exec(db)
        .await?
        .rows_affected;
    Ok(moved == 1)
}
