//! Dealer contracts, invoices and each dealer's debt aging.

use super::State;
use crate::app::{
    finance::{
        self as use_case, Contract, ContractFilter, InvoiceFilter, InvoiceView, NewContract,
    },
    overdue,
};
use crate::domain::{
    aging::AgingBuckets, dealer_contracts::DealerContractStatus, lifecycle::InvoiceStatus,
};
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiResult, Caller,
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
    pub status: DealerContractStatus,
}

impl From<Contract> for ContractDto {
    fn from(c: Contract) -> Self {
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

/// Dealer contracts; dealer roles see their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-contracts", operation_id = "listDealerContracts", tag = "manufacturer", security(("bearer" = [])), params(ListParams, ContractFilter),
    responses((status = 200, body = Page<ContractDto>)))]
pub async fn list_contracts(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<ContractFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list_contracts(&db, &caller, &filter, &query).await?;
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
#[utoipa::path(post, path = "/api/v1/dealer-contracts", operation_id = "createDealerContract", tag = "manufacturer", security(("bearer" = [])), request_body = CreateContract,
    responses((status = 201, body = ContractDto), (status = 409, description = "Overlaps an active contract", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_contract(
    db: State,
    body: ValidJson<CreateContract>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewContract {
        dealer_id: body.dealer_id,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        sales_target_units: body.sales_target_units,
        credit_limit: body.credit_limit,
        wholesale_discount_bp: body.wholesale_discount_bp,
        payment_terms_days: body.payment_terms_days,
    };
    let contract = use_case::create_contract(&db, new).await?;
    Ok(HttpResponse::Created().json(ContractDto::from(contract)))
}

/// One contract.
#[utoipa::path(get, path = "/api/v1/dealer-contracts/{id}", operation_id = "getDealerContract", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_contract(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let contract = use_case::get_contract(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(ContractDto::from(contract)))
}

/// Ends a contract early: the dealer can no longer order under it.
#[utoipa::path(post, path = "/api/v1/dealer-contracts/{id}/terminate", operation_id = "terminateDealerContract", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ContractDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn terminate_contract(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let contract = use_case::terminate_contract(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(ContractDto::from(contract)))
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
    pub status: InvoiceStatus,
    pub due_date: chrono::NaiveDate,
    pub overdue: bool,
    pub issued_at: chrono::DateTime<chrono::Utc>,
}

impl From<InvoiceView> for InvoiceDto {
    fn from(view: InvoiceView) -> Self {
        let i = view.invoice;
        Self {
            overdue: view.overdue,
            outstanding: view.outstanding,
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
}

/// Dealer invoices; a dealer manager sees their own dealer's.
#[utoipa::path(get, path = "/api/v1/dealer-invoices", operation_id = "listDealerInvoices", tag = "manufacturer", security(("bearer" = [])), params(ListParams, InvoiceFilter),
    responses((status = 200, body = Page<InvoiceDto>)))]
pub async fn list_invoices(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<InvoiceFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list_invoices(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(InvoiceDto::from)))
}

/// One invoice.
#[utoipa::path(get, path = "/api/v1/dealer-invoices/{id}", operation_id = "getDealerInvoice", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InvoiceDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get_invoice(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let invoice = use_case::get_invoice(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(InvoiceDto::from(invoice)))
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
#[utoipa::path(get, path = "/api/v1/dealer-invoices/aging", operation_id = "getDealerInvoiceAging", tag = "manufacturer", security(("bearer" = [])), params(AgingQuery),
    responses((status = 200, body = [DealerDebt])))]
pub async fn aging(
    db: State,
    caller: Caller,
    query: web::Query<AgingQuery>,
) -> ApiResult<HttpResponse> {
    let debts: Vec<DealerDebt> = use_case::aging(&db, &caller, query.dealer_id)
        .await?
        .into_iter()
        .map(|d| DealerDebt {
            dealer_id: d.dealer_id,
            aging: d.aging,
        })
        .collect();
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
#[utoipa::path(post, path = "/api/v1/dealer-invoices/overdue-check", operation_id = "checkOverdueDealerInvoices", tag = "manufacturer", security(("bearer" = [])),
    responses((status = 200, body = OverdueCheck)))]
pub async fn overdue_check(db: State) -> ApiResult<HttpResponse> {
    let flagged = overdue::flag_overdue_invoices(&db).await?;
    Ok(HttpResponse::Ok().json(OverdueCheck {
        flagged: flagged.into_iter().map(InvoiceDto::from).collect(),
    }))
}
