//! Dealer payments against invoices: reported by the dealer, confirmed by OEM staff; a
//! confirmed payment counts against its invoice, never beyond what is outstanding.

use super::access::{dealer_filter, is_oem};
use crate::domain::lifecycle::{DealerPaymentMethod, InvoiceStatus, PaymentAction, PaymentStatus};
use crate::store::{dealer_payments, finance};
use contracts::{events::manufacturer::DealerPaymentRecorded, Money};
use kernel::{
    pagination::{ListParams, Page},
    Caller, Db, DomainError, DomainResult, ErrorCode, Lifecycle, WriteTxn,
};
use uuid::Uuid;

pub use crate::store::finance::PaymentFilter;

/// A dealer payment as stored.
pub type Payment = dealer_payments::Model;

/// Dealer payments; a dealer manager sees their own dealer's.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &PaymentFilter,
    params: &ListParams,
) -> DomainResult<Page<dealer_payments::Model>> {
    let dealer = dealer_filter(caller, filter.dealer_id)?;
    finance::list_payments(db.conn(), dealer, filter, params).await
}

pub struct NewPayment {
    pub invoice_id: Uuid,
    pub amount: i64,
    /// transfer | card | cash | offset
    pub method: String,
    pub reference: String,
}

/// Records a payment of at most what is outstanding. A dealer manager's payment waits for OEM
/// confirmation; one recorded by OEM staff is confirmed (and applied) at once.
pub async fn record(
    db: &Db,
    caller: &Caller,
    new: NewPayment,
) -> DomainResult<dealer_payments::Model> {
    let method = DealerPaymentMethod::parse_field(&new.method)?;
    let invoice = kernel::store::find_visible::<crate::store::dealer_invoices::Entity>(
        db.conn(),
        new.invoice_id,
        "invoice",
        |i| caller.can_access_dealer(i.dealer_id),
    )
    .await?;
    let outstanding = invoice.amount - invoice.paid;
    if new.amount > outstanding {
        return Err(DomainError::invalid(
            "amount",
            format!("exceeds the outstanding {outstanding}"),
        ));
    }
    let now = chrono::Utc::now();
    let status = PaymentStatus::recorded_by_oem(is_oem(caller));
    let confirmed = status == PaymentStatus::Confirmed;
    let mut txn = db.begin().await?;
    let payment = finance::insert_payment(
        &*txn,
        dealer_payments::Model {
            id: Uuid::now_v7(),
            invoice_id: invoice.id,
            dealer_id: invoice.dealer_id,
            amount: new.amount,
            method,
            reference: new.reference,
            status,
            recorded_by: caller.subject,
            confirmed_by: confirmed.then_some(caller.subject),
            received_at: now,
            confirmed_at: confirmed.then_some(now),
        },
    )
    .await?;
    if confirmed {
        apply(&mut txn, &payment).await?;
    }
    txn.commit().await?;
    Ok(payment)
}

/// Adds a confirmed payment to its invoice and announces it; refuses to overpay even when two
/// confirmations race (409 `overpayment`).
async fn apply(txn: &mut WriteTxn, payment: &dealer_payments::Model) -> DomainResult<()> {
    if !finance::add_paid(&**txn, payment.invoice_id, payment.amount).await? {
        return Err(DomainError::conflict(
            ErrorCode::Overpayment,
            "the payment exceeds what is outstanding on the invoice",
        ));
    }
    let invoice = finance::find_invoice(&**txn, payment.invoice_id)
        .await?
        .ok_or(DomainError::NotFound("invoice"))?;
    finance::set_invoice_status(
        &**txn,
        invoice.id,
        InvoiceStatus::of(invoice.amount, invoice.paid),
    )
    .await?;
    let recorded = DealerPaymentRecorded {
        payment_id: payment.id,
        invoice_id: invoice.id,
        dealer_id: invoice.dealer_id,
        amount: Money(payment.amount),
        invoice_outstanding: Money(invoice.amount - invoice.paid),
        paid_at: chrono::Utc::now(),
    };
    kernel::events::publish(txn, &recorded).await?;
    Ok(())
}

/// OEM staff confirm a payment the dealer reported; it then counts against the invoice.
pub async fn confirm(db: &Db, caller: &Caller, id: Uuid) -> DomainResult<dealer_payments::Model> {
    let payment = finance::find_payment(db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("payment"))?;
    payment.status.apply(PaymentAction::Confirm)?;
    let mut txn = db.begin().await?;
    if !finance::confirm_payment(&*txn, id, caller.subject).await? {
        return Err(DomainError::changed_meanwhile("payment"));
    }
    apply(&mut txn, &payment).await?;
    txn.commit().await?;
    finance::find_payment(db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("payment"))
}
