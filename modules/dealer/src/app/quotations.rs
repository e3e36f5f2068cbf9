//! Quotations: priced server-side, then sent, answered, and converted into an order
//! (`sales_orders::convert`).

use super::{
    pricing::{self, OptionInput, Quote, Request},
    references, Services,
};
use crate::domain::{
    documents,
    pricing::OptionLines,
    quotations::{valid_until, QuotationAction, QuotationStatus},
};
use crate::store::{quotations, Visibility};
use contracts::{events::dealer::QuotationSent, Money};
use kernel::{
    pagination::{ListParams, Page},
    store::StatusChange,
    Caller, DomainResult, Lifecycle,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::quotations::QuotationFilter;

/// A quotation the caller may see (dealer staff: their own), or 404.
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<quotations::Model> {
    kernel::store::find_visible::<quotations::Entity>(db, id, "quotation", |q| {
        caller.can_see_document(q.dealer_id, q.staff_id)
    })
    .await
}

/// Quotations: dealer staff see their own, managers their dealer's.
pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &QuotationFilter,
    params: &ListParams,
) -> DomainResult<Page<quotations::Model>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    quotations::list(services.db.conn(), scope, filter, params).await
}

pub async fn get(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<quotations::Model> {
    visible(services.db.conn(), caller, id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewQuotation {
    /// Admins name the dealer; dealer roles quote for their own.
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    pub options: Vec<OptionInput>,
    /// Basis points of the subtotal, within the role's limit.
    #[serde(default)]
    pub manual_discount_bp: i64,
    /// Defaults to 14 days from today.
    pub valid_until: Option<chrono::NaiveDate>,
}

/// Drafts a quotation, priced server-side.
pub async fn draft(
    services: &Services,
    caller: &Caller,
    input: NewQuotation,
) -> DomainResult<quotations::Model> {
    let today = chrono::Utc::now().date_naive();
    let valid_until = valid_until(input.valid_until, today)?;
    let request = Request {
        dealer_id: input.dealer_id,
        customer_id: input.customer_id,
        variant_id: input.variant_id,
        colour_id: input.colour_id,
        options: &input.options,
        manual_discount_bp: input.manual_discount_bp,
    };
    // Everything the quotation refers to is checked in the transaction that writes it.
    let txn = services.db.begin().await?;
    let Quote {
        dealer,
        options,
        breakdown,
    } = pricing::quote(&*txn, caller, request).await?;
    let branch_id = references::branch(&*txn, dealer.id, input.branch_id, caller.branch_id).await?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let quotation = quotations::ActiveModel {
        id: Set(id),
        number: Set(documents::number("QT", id, today)),
        dealer_id: Set(dealer.id),
        branch_id: Set(branch_id),
        customer_id: Set(input.customer_id),
        staff_id: Set(caller.subject),
        variant_id: Set(input.variant_id),
        colour_id: Set(input.colour_id),
        options: Set(OptionLines(options)),
        total: Set(breakdown.total.0),
        breakdown: Set(breakdown),
        // Within the seller's cap, so it fits.
        manual_discount_bp: Set(i32::try_from(input.manual_discount_bp).unwrap_or(0)),
        status: Set(QuotationStatus::Draft),
        valid_until: Set(valid_until),
        sales_order_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(quotation)
}

/// Sends, accepts or rejects a quotation if it is still in the status read (as of today: an
/// expired one is refused); sending announces it.
pub async fn act(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    action: QuotationAction,
) -> DomainResult<quotations::Model> {
    let db = services.db.conn();
    let quotation = visible(db, caller, id).await?;
    let next = quotation.effective_status().apply(action)?;
    let mut txn = services.db.begin().await?;
    StatusChange::<quotations::Entity>::new(id, quotation.status, next)
        .exec(&*txn)
        .await?;
    if action == QuotationAction::Send {
        let event = QuotationSent {
            quotation_id: quotation.id,
            quotation_number: quotation.number.clone(),
            dealer_id: quotation.dealer_id,
            branch_id: quotation.branch_id,
            customer_id: quotation.customer_id,
            staff_id: quotation.staff_id,
            variant_id: quotation.variant_id,
            colour_id: quotation.colour_id,
            total: Money(quotation.total),
            valid_until: quotation.valid_until,
        };
        kernel::events::publish(&mut txn, &event).await?;
    }
    txn.commit().await?;
    visible(db, caller, id).await
}
