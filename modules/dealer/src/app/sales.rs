//! Making a sale: an order sold directly or converted from an accepted quotation, priced,
//! scheduled, and holding one reserved in-stock VIN.

use super::{
    pricing::{self, OptionInput, Quote, Request},
    quotations, references,
    sales_orders::{detailed, publish_approved, OrderView},
    seller, Services,
};
use crate::domain::{
    documents,
    inventory::{stock_low_reached, LOW_STOCK_THRESHOLD},
    pricing::Breakdown,
    quotations::{QuotationAction, QuotationStatus},
    sales_orders::SalesOrderStatus,
    schedule::{PaymentPlan, Terms},
};
use crate::store::{
    dealers, instalments, inventory_units, quotations as quotation_rows, sales_orders,
};
use contracts::{events::dealer as events, Money, Vin};
use kernel::{
    store::StatusChange, Caller, DomainError, DomainResult, ErrorCode, Lifecycle, WriteTxn,
};
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTerms {
    pub payment_plan: PaymentPlan,
    /// Instalments: paid now (minor units).
    #[validate(range(min = 0))]
    pub down_payment: Option<i64>,
    /// Instalments: monthly payments after the down payment.
    #[validate(range(min = 1, max = 120))]
    pub instalments: Option<i32>,
    /// Instalments: flat annual interest in basis points.
    #[validate(range(min = 0, max = 5000))]
    pub annual_rate_bp: Option<i64>,
}

impl From<PaymentTerms> for Terms {
    fn from(input: PaymentTerms) -> Self {
        Terms {
            plan: input.payment_plan,
            down_payment: input.down_payment.map(Money),
            instalments: input.instalments,
            annual_rate_bp: input.annual_rate_bp,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    /// A specific in-stock unit; omitted = the longest-held unit of the variant × colour.
    pub vin: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    pub options: Vec<OptionInput>,
    #[serde(default)]
    pub manual_discount_bp: i64,
    #[serde(flatten)]
    #[validate(nested)]
    pub terms: PaymentTerms,
}

/// Sells directly, without a quotation; reserves a VIN.
pub async fn create(
    services: &Services,
    caller: &Caller,
    input: NewOrder,
) -> DomainResult<OrderView> {
    let vin = match &input.vin {
        Some(raw) => Some(Vin::parse(raw).map_err(|e| DomainError::invalid("vin", e.to_string()))?),
        None => None,
    };
    let request = Request {
        dealer_id: input.dealer_id,
        customer_id: input.customer_id,
        variant_id: input.variant_id,
        colour_id: input.colour_id,
        options: &input.options,
        manual_discount_bp: input.manual_discount_bp,
    };
    // Everything the order refers to is checked in the transaction that writes it.
    let txn = services.db.begin().await?;
    let Quote {
        dealer, breakdown, ..
    } = pricing::quote(&*txn, caller, request).await?;
    let branch_id = references::branch(&*txn, dealer.id, input.branch_id, caller.branch_id).await?;
    if let Some(vin) = &vin {
        references::vin(&*txn, dealer.id, vin).await?;
    }
    let opening = Opening {
        dealer_id: dealer.id,
        branch_id,
        customer_id: input.customer_id,
        staff_id: caller.subject,
        quotation: None,
        variant_id: input.variant_id,
        colour_id: input.colour_id,
        vin,
        breakdown,
        manual_discount_bp: input.manual_discount_bp,
        terms: input.terms.into(),
    };
    open(txn, caller, opening).await
}

/// Converts an accepted quotation into an order at the quoted price (reserving a VIN).
pub async fn convert(
    services: &Services,
    caller: &Caller,
    quotation_id: Uuid,
    terms: PaymentTerms,
) -> DomainResult<OrderView> {
    let db = services.db.conn();
    let quotation = quotations::visible(db, caller, quotation_id).await?;
    quotation
        .effective_status()
        .apply(QuotationAction::Convert)?;
    let dealer = dealers::find(db, quotation.dealer_id)
        .await?
        .ok_or(DomainError::NotFound("dealer"))?;
    dealer.status.check_can_sell(&dealer.code)?;
    let opening = Opening {
        dealer_id: quotation.dealer_id,
        branch_id: quotation.branch_id,
        customer_id: quotation.customer_id,
        staff_id: quotation.staff_id,
        variant_id: quotation.variant_id,
        colour_id: quotation.colour_id,
        vin: None,
        breakdown: quotation.breakdown.clone(),
        manual_discount_bp: i64::from(quotation.manual_discount_bp),
        terms: terms.into(),
        quotation: Some(&quotation),
    };
    open(services.db.begin().await?, caller, opening).await
}

/// A priced sale about to become an order.
struct Opening<'a> {
    dealer_id: Uuid,
    branch_id: Option<Uuid>,
    customer_id: Uuid,
    staff_id: Uuid,
    quotation: Option<&'a quotation_rows::Model>,
    variant_id: Uuid,
    colour_id: Uuid,
    vin: Option<Vin>,
    breakdown: Breakdown,
    manual_discount_bp: i64,
    terms: Terms,
}

/// Creates the order, its schedule and its reservation in `txn` with its events.
async fn open(mut txn: WriteTxn, caller: &Caller, new: Opening<'_>) -> DomainResult<OrderView> {
    let now = chrono::Utc::now();
    let plan = new.terms.schedule(new.breakdown.total, now.date_naive())?;
    let approver = seller(caller);
    let needs_approval = approver.needs_approval(new.manual_discount_bp);
    let id = Uuid::now_v7();
    if let Some(q) = new.quotation {
        StatusChange::<quotation_rows::Entity>::new(q.id, q.status, QuotationStatus::Converted)
            .set(quotation_rows::Column::SalesOrderId, id)
            .exec(&*txn)
            .await?;
    }
    let wanted = inventory_units::Wanted {
        dealer_id: new.dealer_id,
        variant_id: new.variant_id,
        colour_id: new.colour_id,
        vin: new.vin.as_ref().map(Vin::as_str),
    };
    let Some(vin) = inventory_units::reserve(&*txn, &wanted, id).await? else {
        let detail = match wanted.vin {
            Some(vin) => format!("unit {vin} is not in stock for this variant and colour"),
            None => "no unit of this variant and colour is in stock".to_owned(),
        };
        return Err(DomainError::conflict(ErrorCode::OutOfStock, detail));
    };
    let order = sales_orders::ActiveModel {
        id: Set(id),
        number: Set(documents::number("SO", id, now.date_naive())),
        dealer_id: Set(new.dealer_id),
        branch_id: Set(new.branch_id),
        customer_id: Set(new.customer_id),
        staff_id: Set(new.staff_id),
        quotation_id: Set(new.quotation.map(|q| q.id)),
        variant_id: Set(new.variant_id),
        colour_id: Set(new.colour_id),
        vin: Set(Some(vin.clone())),
        total: Set(new.breakdown.total.0),
        breakdown: Set(new.breakdown),
        interest: Set(plan.interest.0),
        payable: Set(plan.payable.0),
        paid_total: Set(0),
        // Within the seller's cap, so it fits.
        manual_discount_bp: Set(i32::try_from(new.manual_discount_bp).unwrap_or(0)),
        needs_approval: Set(needs_approval),
        approved_by: Set((!needs_approval).then_some(caller.subject)),
        payment_plan: Set(new.terms.plan),
        status: Set(SalesOrderStatus::initial(needs_approval)),
        status_reason: Set(None),
        delivery_scheduled_at: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    for row in &plan.instalments {
        instalments::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(id),
            number: Set(row.number),
            due_date: Set(row.due_date),
            amount: Set(row.amount.0),
            paid: Set(0),
            overdue_notified_at: Set(None),
        }
        .insert(&*txn)
        .await?;
    }
    let created = events::SalesOrderCreated {
        order_id: id,
        order_number: order.number.clone(),
        dealer_id: order.dealer_id,
        branch_id: order.branch_id,
        customer_id: order.customer_id,
        staff_id: order.staff_id,
        quotation_id: order.quotation_id,
        variant_id: order.variant_id,
        colour_id: order.colour_id,
        vin,
        total: Money(order.total),
        payment_plan: order.payment_plan.as_str().to_owned(),
        payable: Money(order.payable),
        instalments: plan
            .instalments
            .iter()
            .map(|row| events::InstalmentDue {
                number: row.number,
                due_date: row.due_date,
                amount: row.amount,
            })
            .collect(),
    };
    kernel::events::publish(&mut txn, &created).await?;
    if !needs_approval {
        publish_approved(&mut txn, &order, caller.subject).await?;
    }
    announce_low_stock(&mut txn, &order).await?;
    let view = detailed(&*txn, order).await?;
    txn.commit().await?;
    Ok(view)
}

/// Raises `dealer.stock_low` when the sale leaves the variant × colour at the threshold.
async fn announce_low_stock(txn: &mut WriteTxn, order: &sales_orders::Model) -> DomainResult<()> {
    let in_stock =
        inventory_units::count_in_stock(&**txn, order.dealer_id, order.variant_id, order.colour_id)
            .await?;
    if stock_low_reached(in_stock) {
        let event = events::DealerStockLow {
            dealer_id: order.dealer_id,
            variant_id: order.variant_id,
            colour_id: order.colour_id,
            in_stock: i64::try_from(in_stock).unwrap_or(i64::MAX),
            threshold: i64::try_from(LOW_STOCK_THRESHOLD).unwrap_or(i64::MAX),
        };
        kernel::events::publish(txn, &event).await?;
    }
    Ok(())
}
