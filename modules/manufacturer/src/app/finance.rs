//! Dealer contracts and invoices, and each dealer's debt aging.

use super::access::{dealer_filter, is_oem};
use crate::domain::{
    aging::{is_overdue, AgingBuckets},
    dealer_contracts::{
        check_period, overlapping, ContractAction, DealerContractStatus, DEFAULT_PAYMENT_TERMS_DAYS,
    },
};
use crate::store::{dealer_contracts, dealer_invoices, finance, orders::document_number};
use contracts::Money;
use kernel::{
    pagination::{ListParams, Page},
    Caller, Db, DomainError, DomainResult, Lifecycle,
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use crate::store::finance::{ContractFilter, InvoiceFilter};

/// A dealer contract as stored.
pub type Contract = dealer_contracts::Model;

/// Dealer contracts; dealer roles see their own dealer's.
pub async fn list_contracts(
    db: &Db,
    caller: &Caller,
    filter: &ContractFilter,
    params: &ListParams,
) -> DomainResult<Page<dealer_contracts::Model>> {
    let dealer = dealer_filter(caller, filter.dealer_id)?;
    finance::list_contracts(db.conn(), dealer, filter, params).await
}

pub struct NewContract {
    pub dealer_id: Uuid,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub sales_target_units: i32,
    pub credit_limit: i64,
    pub wholesale_discount_bp: i32,
    pub payment_terms_days: Option<i32>,
}

/// Signs a contract with a dealer; periods of one dealer's active contracts may not overlap
/// (409 `overlapping_contract`).
pub async fn create_contract(db: &Db, new: NewContract) -> DomainResult<dealer_contracts::Model> {
    check_period(new.starts_on, new.ends_on)?;
    let txn = db.begin().await?;
    if let Some(existing) =
        finance::overlapping_contract(&*txn, new.dealer_id, new.starts_on, new.ends_on).await?
    {
        return Err(overlapping(
            &existing.number,
            existing.starts_on,
            existing.ends_on,
        ));
    }
    let id = Uuid::now_v7();
    let contract = finance::insert_contract(
        &*txn,
        dealer_contracts::Model {
            id,
            number: document_number("DC", id),
            dealer_id: new.dealer_id,
            starts_on: new.starts_on,
            ends_on: new.ends_on,
            sales_target_units: new.sales_target_units,
            credit_limit: new.credit_limit,
            wholesale_discount_bp: new.wholesale_discount_bp,
            payment_terms_days: new.payment_terms_days.unwrap_or(DEFAULT_PAYMENT_TERMS_DAYS),
            status: DealerContractStatus::Active,
            created_at: chrono::Utc::now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contract)
}

async fn visible_contract(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<dealer_contracts::Model> {
    kernel::store::find_visible::<dealer_contracts::Entity>(db, id, "contract", |c| {
        caller.can_access_dealer(c.dealer_id)
    })
    .await
}

/// One contract (another dealer's is a 404).
pub async fn get_contract(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<dealer_contracts::Model> {
    visible_contract(db.conn(), caller, id).await
}

/// Ends a contract early: the dealer can no longer order under it.
pub async fn terminate_contract(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<dealer_contracts::Model> {
    let contract = visible_contract(db.conn(), caller, id).await?;
    let next = contract.status.apply(ContractAction::Terminate)?;
    let txn = db.begin().await?;
    if !finance::change_contract_status(&*txn, id, contract.status, next).await? {
        return Err(DomainError::changed_meanwhile("contract"));
    }
    txn.commit().await?;
    get_contract(db, caller, id).await
}

/// An invoice with what is outstanding and whether it is overdue today.
pub struct InvoiceView {
    pub invoice: dealer_invoices::Model,
    pub outstanding: Money,
    pub overdue: bool,
}

impl From<dealer_invoices::Model> for InvoiceView {
    fn from(invoice: dealer_invoices::Model) -> Self {
        let today = chrono::Utc::now().date_naive();
        Self {
            outstanding: Money(invoice.amount - invoice.paid),
            overdue: is_overdue(invoice.status, invoice.due_date, today),
            invoice,
        }
    }
}

/// Dealer invoices; a dealer manager sees their own dealer's.
pub async fn list_invoices(
    db: &Db,
    caller: &Caller,
    filter: &InvoiceFilter,
    params: &ListParams,
) -> DomainResult<Page<InvoiceView>> {
    let dealer = dealer_filter(caller, filter.dealer_id)?;
    let today = chrono::Utc::now().date_naive();
    Ok(
        finance::list_invoices(db.conn(), dealer, filter, params, today)
            .await?
            .map(InvoiceView::from),
    )
}

/// One invoice (another dealer's is a 404).
pub async fn get_invoice(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<InvoiceView> {
    let invoice =
        kernel::store::find_visible::<dealer_invoices::Entity>(db.conn(), id, "invoice", |i| {
            caller.can_access_dealer(i.dealer_id)
        })
        .await?;
    Ok(invoice.into())
}

/// A dealer's outstanding debt by days past due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealerDebt {
    pub dealer_id: Uuid,
    pub aging: AgingBuckets,
}

/// Each dealer's debt (invoices − payments) by days past due; a dealer role sees its own
/// (all zero when it owes nothing).
pub async fn aging(
    db: &Db,
    caller: &Caller,
    dealer_id: Option<Uuid>,
) -> DomainResult<Vec<DealerDebt>> {
    let dealer = dealer_filter(caller, dealer_id)?;
    let today = chrono::Utc::now().date_naive();
    let mut debts: Vec<DealerDebt> = Vec::new();
    for invoice in finance::unpaid_invoices(db.conn(), dealer).await? {
        let index = match debts.iter().position(|d| d.dealer_id == invoice.dealer_id) {
            Some(i) => i,
            None => {
                debts.push(DealerDebt {
                    dealer_id: invoice.dealer_id,
                    aging: AgingBuckets::default(),
                });
                debts.len() - 1
            }
        };
        if let Some(debt) = debts.get_mut(index) {
            debt.aging.add(
                Money(invoice.amount - invoice.paid),
                invoice.due_date,
                today,
            );
        }
    }
    if !is_oem(caller) && debts.is_empty() {
        if let Some(own) = caller.dealer_id {
            debts.push(DealerDebt {
                dealer_id: own,
                aging: AgingBuckets::default(),
            });
        }
    }
    debts.sort_by_key(|d| d.dealer_id);
    Ok(debts)
}
