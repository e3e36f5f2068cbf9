//! Dealer contracts, invoices and each dealer's debt aging.

use super::{dealer_scope, is_oem, State};
use crate::domain::aging::AgingBuckets;
use crate::store::{dealer_contracts, dealer_invoices, orders::document_number};
use actix_web::{web, HttpResponse};
use contracts::{events::manufacturer::InvoiceOverdue, Money};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, Db,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, Order, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub sales_target_units: i32,
    pub credit_limit: Money,
    /// Basis points off the wholesale price (300 = 3%).
    pub wholesale_discount_bp: i32,
    pub payment_terms_days: i32,
    pub status: String,
}

impl From<dealer_contracts::Model> for ContractDto {
    fn from(c: dealer_contracts::Model) -> Self {
        Self {
            id: c.id,
            number: c.number,
            dealer_id: c.dealer_id,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            sales_target_units: c.sales_target_units,
            credit_limit: Money(c.credit_limit),
            wholesale_discount_bp: c.wholesale_discount_bp,
            payment_terms_days: c.payment_terms_days,
            status: c.status,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DealerFilter {
    /// OEM staff only; dealer roles always see their own dealer's.
    pub dealer_id: Option<Uuid>,
    pub status: Option<String>,
}

/// Dealer contracts; dealer roles see their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-contracts", tag = "manufacturer", security(("bearer" = [])), params(ListParams, DealerFilter),
    responses((status = 200, body = Page<ContractDto>)))]
pub async fn list_contracts(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<DealerFilter>,
) -> ApiResult<HttpResponse> {
    use dealer_contracts::Column as C;
    let mut select = dealer_contracts::Entity::find();
    if let Some(dealer) = dealer_scope(&caller, filter.dealer_id)? {
        select = select.filter(C::DealerId.eq(dealer));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    let sortable = [
        ("startsOn", C::StartsOn),
        ("endsOn", C::EndsOn),
        ("number", C::Number),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::StartsOn, Order::Desc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(ContractDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateContract {
    pub dealer_id: Uuid,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    #[validate(range(min = 0, max = 1000000))]
    pub sales_target_units: i32,
    #[validate(range(min = 0))]
    pub credit_limit: i64,
    #[validate(range(min = 0, max = 5000))]
    pub wholesale_discount_bp: i32,
    #[validate(range(min = 0, max = 365))]
    pub payment_terms_days: Option<i32>,
}

/// Signs a contract with a dealer; periods of one dealer's active contracts may not overlap.
#[utoipa::path(post, path = "/api/v1/dealer-contracts", tag = "manufacturer", security(("bearer" = [])), request_body = CreateContract,
    responses((status = 201, body = ContractDto), (status = 409, description = "Overlaps an active contract", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_contract(
    db: State,
    body: ValidJson<CreateContract>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if body.ends_on < body.starts_on {
        return Err(ApiError::invalid_field(
            "endsOn",
            "must not be before startsOn",
        ));
    }
    let txn = db.begin().await?;
    let overlapping = dealer_contracts::Entity::find()
        .filter(dealer_contracts::Column::DealerId.eq(body.dealer_id))
        .filter(dealer_contracts::Column::Status.eq("active"))
        .filter(dealer_contracts::Column::StartsOn.lte(body.ends_on))
        .filter(dealer_contracts::Column::EndsOn.gte(body.starts_on))
        .one(&*txn)
        .await?;
    if let Some(existing) = overlapping {
        return Err(ApiError::conflict(format!(
            "overlaps active contract {} ({} – {})",
            existing.number, existing.starts_on, existing.ends_on
        ))
        .with_code(kernel::error::ErrorCode::OverlappingContract));
    }
    let id = Uuid::now_v7();
    let contract = dealer_contracts::ActiveModel {
        id: Set(id),
        number: Set(document_number("DC", id)),
        dealer_id: Set(body.dealer_id),
        starts_on: Set(body.starts_on),
        ends_on: Set(body.ends_on),
        sales_target_units: Set(body.sales_target_units),
        credit_limit: Set(body.credit_limit),
        wholesale_discount_bp: Set(body.wholesale_discount_bp),
        payment_terms_days: Set(body.payment_terms_days.unwrap_or(30)),
        status: Set("active".to_owned()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(ContractDto::from(contract)))
}

async fn visible_contract(
    db: &State,
    caller: &Caller,
    id: Uuid,
) -> Result<dealer_contracts::Model, ApiError> {
    let contract = dealer_contracts::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such contract"))?;
    caller.ensure_dealer(contract.dealer_id)?;
    Ok(contract)
}

/// One contract.
#[utoipa::path(get, path = "/api/v1/dealer-contracts/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_contract(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(ContractDto::from(
        visible_contract(&db, &caller, *id).await?,
    )))
}

/// Ends a contract early: the dealer can no longer order under it.
#[utoipa::path(post, path = "/api/v1/dealer-contracts/{id}/terminate", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn terminate_contract(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let contract = visible_contract(&db, &caller, *id).await?;
    let txn = db.begin().await?;
    let moved = dealer_contracts::Entity::update_many()
        .col_expr(dealer_contracts::Column::Status, Expr::value("terminated"))
        .filter(dealer_contracts::Column::Id.eq(contract.id))
        .filter(dealer_contracts::Column::Status.eq("active"))
        .exec(&*txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::illegal_transition(
            &contract.status,
            "terminate",
            vec![],
        ));
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(ContractDto::from(
        visible_contract(&db, &caller, *id).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub order_id: Uuid,
    pub amount: Money,
    pub paid: Money,
    pub outstanding: Money,
    /// unpaid | partially_paid | paid
    pub status: String,
    pub due_date: chrono::NaiveDate,
    pub overdue: bool,
    pub issued_at: chrono::DateTime<chrono::Utc>,
}

pub fn invoice_dto(i: dealer_invoices::Model) -> InvoiceDto {
    let today = chrono::Utc::now().date_naive();
    InvoiceDto {
        overdue: i.status != "paid" && i.due_date < today,
        outstanding: Money(i.amount - i.paid),
        id: i.id,
        number: i.number,
        dealer_id: i.dealer_id,
        order_id: i.order_id,
        amount: Money(i.amount),
        paid: Money(i.paid),
        status: i.status,
        due_date: i.due_date,
        issued_at: i.issued_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    pub dealer_id: Option<Uuid>,
    pub status: Option<String>,
    /// Only invoices past due with money outstanding.
    #[serde(default, deserialize_with = "kernel::pagination::bool_or_string")]
    pub overdue: Option<bool>,
}

/// Dealer invoices; a dealer manager sees their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-invoices", tag = "manufacturer", security(("bearer" = [])), params(ListParams, InvoiceFilter),
    responses((status = 200, body = Page<InvoiceDto>)))]
pub async fn list_invoices(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<InvoiceFilter>,
) -> ApiResult<HttpResponse> {
    use dealer_invoices::Column as C;
    let mut select = dealer_invoices::Entity::find();
    if let Some(dealer) = dealer_scope(&caller, filter.dealer_id)? {
        select = select.filter(C::DealerId.eq(dealer));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if filter.overdue == Some(true) {
        select = select
            .filter(C::Status.ne("paid"))
            .filter(C::DueDate.lt(chrono::Utc::now().date_naive()));
    }
    let sortable = [
        ("dueDate", C::DueDate),
        ("issuedAt", C::IssuedAt),
        ("amount", C::Amount),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::IssuedAt, Order::Desc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(invoice_dto)))
}

/// One invoice.
#[utoipa::path(get, path = "/api/v1/dealer-invoices/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InvoiceDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_invoice(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let invoice = dealer_invoices::Entity::find_by_id(*id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such invoice"))?;
    caller.ensure_dealer(invoice.dealer_id)?;
    Ok(HttpResponse::Ok().json(invoice_dto(invoice)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerDebt {
    pub dealer_id: Uuid,
    pub aging: AgingBuckets,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AgingQuery {
    pub dealer_id: Option<Uuid>,
}

/// Each dealer's debt (invoices − payments) by days past due: not due, 0–30, 31–60, 61–90, 90+.
#[utoipa::path(get, path = "/api/v1/dealer-invoices/aging", tag = "manufacturer", security(("bearer" = [])), params(AgingQuery),
    responses((status = 200, body = [DealerDebt])))]
pub async fn aging(
    db: State,
    caller: Caller,
    query: web::Query<AgingQuery>,
) -> ApiResult<HttpResponse> {
    let mut select =
        dealer_invoices::Entity::find().filter(dealer_invoices::Column::Status.ne("paid"));
    if let Some(dealer) = dealer_scope(&caller, query.dealer_id)? {
        select = select.filter(dealer_invoices::Column::DealerId.eq(dealer));
    }
    let today = chrono::Utc::now().date_naive();
    let mut debts: Vec<DealerDebt> = Vec::new();
    for invoice in select.all(db.conn()).await? {
        let position = debts.iter().position(|d| d.dealer_id == invoice.dealer_id);
        let index = position.unwrap_or_else(|| {
            debts.push(DealerDebt {
                dealer_id: invoice.dealer_id,
                aging: AgingBuckets::default(),
            });
            debts.len() - 1
        });
        if let Some(debt) = debts.get_mut(index) {
            debt.aging.add(
                Money(invoice.amount - invoice.paid),
                invoice.due_date,
                today,
            );
        }
    }
    if !is_oem(&caller) && debts.is_empty() {
        if let Some(own) = caller.dealer_id {
            debts.push(DealerDebt {
                dealer_id: own,
                aging: AgingBuckets::default(),
            });
        }
    }
    debts.sort_by_key(|d| d.dealer_id);
    Ok(HttpResponse::Ok().json(debts))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueCheck {
    /// Invoices newly found overdue (one `invoice_overdue` event each).
    pub flagged: Vec<InvoiceDto>,
}

/// Flags invoices past due with money outstanding, once each. The module also runs this
/// hourly; the endpoint lets operators (and tests) run it now.
#[utoipa::path(post, path = "/api/v1/dealer-invoices/overdue-check", tag = "manufacturer", security(("bearer" = [])),
    responses((status = 200, body = OverdueCheck)))]
pub async fn overdue_check(db: State) -> ApiResult<HttpResponse> {
    let flagged = flag_overdue_invoices(&db).await?;
    Ok(HttpResponse::Ok().json(OverdueCheck {
        flagged: flagged.into_iter().map(invoice_dto).collect(),
    }))
}

/// Flags each overdue invoice once (a conditional update decides, so two sweeps never both
/// publish) and raises `invoice_overdue` in the same transaction.
#[tracing::instrument(skip(db))]
pub async fn flag_overdue_invoices(db: &Db) -> Result<Vec<dealer_invoices::Model>, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let candidates = dealer_invoices::Entity::find()
        .filter(dealer_invoices::Column::Status.ne("paid"))
        .filter(dealer_invoices::Column::DueDate.lt(today))
        .filter(dealer_invoices::Column::OverdueNotifiedAt.is_null())
        .all(db.conn())
        .await?;
    let mut flagged = Vec::new();
    for invoice in candidates {
        let mut txn = db.begin().await?;
        let won = dealer_invoices::Entity::update_many()
            .col_expr(
                dealer_invoices::Column::OverdueNotifiedAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(dealer_invoices::Column::Id.eq(invoice.id))
            .filter(dealer_invoices::Column::OverdueNotifiedAt.is_null())
            .exec(&*txn)
            .await?
            .rows_affected;
        if won == 1 {
            let event = InvoiceOverdue {
                invoice_id: invoice.id,
                invoice_number: invoice.number.clone(),
                dealer_id: invoice.dealer_id,
                outstanding: Money(invoice.amount - invoice.paid),
                due_date: invoice.due_date,
            };
            kernel::events::publish(&mut txn, &event).await?;
            txn.commit().await?;
            flagged.push(invoice);
        }
    }
    Ok(flagged)
}
