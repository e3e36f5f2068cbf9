//! Lifecycles of catalog models, OEM stock units, dealer orders, invoices and dealer payments.

use kernel::{DomainError, DomainResult, Lifecycle};

kernel::text_enum! {
    /// A dealer order's status (docs/domain.md, "Lifecycles": pending → approved → allocated →
    /// shipped → delivered, or cancelled (only while pending) | rejected | disputed → resolved).
    pub enum OrderStatus {
        Pending = "pending",
        Approved = "approved",
        Allocated = "allocated",
        Shipped = "shipped",
        Delivered = "delivered",
        Disputed = "disputed",
        Resolved = "resolved",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

/// What can be done to a dealer order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Approve,
    Reject,
    Cancel,
    Allocate,
    Ship,
    Deliver,
    Dispute,
    Resolve,
}

impl Lifecycle for OrderStatus {
    type Action = OrderAction;
    const ACTIONS: &'static [OrderAction] = &[
        OrderAction::Approve,
        OrderAction::Reject,
        OrderAction::Cancel,
        OrderAction::Allocate,
        OrderAction::Ship,
        OrderAction::Deliver,
        OrderAction::Dispute,
        OrderAction::Resolve,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: OrderAction) -> &'static str {
        match action {
            OrderAction::Approve => "approve",
            OrderAction::Reject => "reject",
            OrderAction::Cancel => "cancel",
            OrderAction::Allocate => "allocate",
            OrderAction::Ship => "ship",
            OrderAction::Deliver => "deliver",
            OrderAction::Dispute => "dispute",
            OrderAction::Resolve => "resolve",
        }
    }

    fn next(self, action: OrderAction) -> Option<Self> {
        use OrderAction as A;
        use OrderStatus as S;
        match (self, action) {
            (S::Pending, A::Approve) => Some(S::Approved),
            (S::Pending, A::Reject) => Some(S::Rejected),
            // The dealer may withdraw an order only before the OEM has committed to it.
            (S::Pending, A::Cancel) => Some(S::Cancelled),
            (S::Approved, A::Allocate) => Some(S::Allocated),
            (S::Allocated, A::Ship) => Some(S::Shipped),
            (S::Shipped, A::Deliver) => Some(S::Delivered),
            (S::Shipped, A::Dispute) => Some(S::Disputed),
            (S::Disputed, A::Resolve) => Some(S::Resolved),
            _ => None,
        }
    }
}

impl OrderStatus {
    /// Orders that count against the dealer's credit until they are invoiced.
    pub const COMMITTED: [OrderStatus; 2] = [OrderStatus::Approved, OrderStatus::Allocated];
}

impl OrderAction {
    /// Whether the action hands the shipped units over to the dealer (delivery, or the OEM
    /// resolving a dispute).
    pub fn hands_over(self) -> bool {
        matches!(self, OrderAction::Deliver | OrderAction::Resolve)
    }
}

kernel::text_enum! {
    /// An OEM stock unit's status, in the order a unit goes through them.
    pub enum StockUnitStatus {
        InProduction = "in_production",
        InWarehouse = "in_warehouse",
        Allocated = "allocated",
        InTransit = "in_transit",
        Delivered = "delivered",
    }
}

impl StockUnitStatus {
    /// Where a newly registered unit starts (default: in the warehouse); units are registered
    /// only while in production or in the warehouse.
    pub fn registered(requested: Option<&str>) -> DomainResult<StockUnitStatus> {
        match requested.map(str::parse::<StockUnitStatus>) {
            None => Ok(StockUnitStatus::InWarehouse),
            Some(Ok(status @ (StockUnitStatus::InProduction | StockUnitStatus::InWarehouse))) => {
                Ok(status)
            }
            Some(_) => Err(DomainError::invalid(
                "status",
                "must be in_production or in_warehouse",
            )),
        }
    }

    /// The ledger's name for how a unit entered stock.
    pub fn registration_movement(self) -> &'static str {
        if self == StockUnitStatus::InWarehouse {
            "receive"
        } else {
            "produce"
        }
    }
}

kernel::text_enum! {
    /// A dealer invoice's payment status.
    pub enum InvoiceStatus {
        Unpaid = "unpaid",
        PartiallyPaid = "partially_paid",
        Paid = "paid",
    }
}

impl InvoiceStatus {
    /// The status given what has been paid of the amount.
    pub fn of(amount: i64, paid: i64) -> InvoiceStatus {
        if paid <= 0 {
            InvoiceStatus::Unpaid
        } else if paid < amount {
            InvoiceStatus::PartiallyPaid
        } else {
            InvoiceStatus::Paid
        }
    }
}

kernel::text_enum! {
    /// A dealer payment: reported by the dealer (pending) until OEM staff confirm it.
    pub enum PaymentStatus {
        Pending = "pending",
        Confirmed = "confirmed",
        Rejected = "rejected",
    }
}

kernel::text_enum! {
    /// How a dealer paid an invoice.
    pub enum DealerPaymentMethod {
        Transfer = "transfer",
        Card = "card",
        Cash = "cash",
        Offset = "offset",
    }
}

impl DealerPaymentMethod {
    /// The method named in a request, or 422 on `method`.
    pub fn parse_field(raw: &str) -> DomainResult<DealerPaymentMethod> {
        raw.parse()
            .map_err(|_| DomainError::invalid("method", "must be transfer, card, cash or offset"))
    }
}

/// A payment action (the only one: OEM staff confirm a reported payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentAction {
    Confirm,
}

impl Lifecycle for PaymentStatus {
    type Action = PaymentAction;
    const ACTIONS: &'static [PaymentAction] = &[PaymentAction::Confirm];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(_: PaymentAction) -> &'static str {
        "confirm"
    }

    fn next(self, action: PaymentAction) -> Option<Self> {
        match (self, action) {
            (PaymentStatus::Pending, PaymentAction::Confirm) => Some(PaymentStatus::Confirmed),
            _ => None,
        }
    }
}

impl PaymentStatus {
    /// A payment recorded by OEM staff is confirmed at once; a dealer's waits for them.
    pub fn recorded_by_oem(by_oem: bool) -> PaymentStatus {
        if by_oem {
            PaymentStatus::Confirmed
        } else {
            PaymentStatus::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_follow_the_documented_lifecycle() {
        let mut status = OrderStatus::Pending;
        for action in [
            OrderAction::Approve,
            OrderAction::Allocate,
            OrderAction::Ship,
            OrderAction::Deliver,
        ] {
            status = status.apply(action).unwrap();
        }
        assert_eq!(status, OrderStatus::Delivered);
        assert!(OrderStatus::Delivered.allowed().is_empty());
        assert!(OrderStatus::Rejected.allowed().is_empty());
        assert!(OrderStatus::Cancelled.allowed().is_empty());
        assert!(OrderStatus::Resolved.allowed().is_empty());
    }

    #[test]
    fn a_shipment_is_disputed_by_the_dealer_and_resolved_by_the_oem() {
        let disputed = OrderStatus::Shipped.apply(OrderAction::Dispute).unwrap();
        assert_eq!(disputed, OrderStatus::Disputed);
        assert_eq!(disputed.allowed_names(), ["resolve"]);
        assert_eq!(
            disputed.apply(OrderAction::Resolve).ok(),
            Some(OrderStatus::Resolved)
        );
        // Only a shipment can be disputed, and only a dispute resolved.
        for status in [
            OrderStatus::Pending,
            OrderStatus::Approved,
            OrderStatus::Allocated,
            OrderStatus::Delivered,
        ] {
            assert!(status.apply(OrderAction::Dispute).is_err(), "{status}");
        }
        assert!(OrderStatus::Shipped.apply(OrderAction::Resolve).is_err());
        assert!(OrderAction::Resolve.hands_over() && OrderAction::Deliver.hands_over());
        assert!(!OrderAction::Dispute.hands_over());
    }

    #[test]
    fn cancelling_is_only_possible_while_pending() {
        assert_eq!(
            OrderStatus::Pending.apply(OrderAction::Cancel).ok(),
            Some(OrderStatus::Cancelled)
        );
        for status in OrderStatus::ALL
            .iter()
            .filter(|s| **s != OrderStatus::Pending)
        {
            match status.apply(OrderAction::Cancel) {
                Err(DomainError::IllegalTransition { from, allowed, .. }) => {
                    assert_eq!(from, status.as_str());
                    assert!(!allowed.contains(&"cancel".to_owned()));
                }
                other => panic!("{status}: expected a refusal, got {other:?}"),
            }
        }
        assert_eq!(
            OrderStatus::Pending.allowed_names(),
            ["approve", "reject", "cancel"]
        );
        assert_eq!(OrderStatus::Approved.allowed_names(), ["allocate"]);
    }

    #[test]
    fn units_are_registered_in_production_or_in_the_warehouse() {
        assert_eq!(
            StockUnitStatus::registered(None).ok(),
            Some(StockUnitStatus::InWarehouse)
        );
        assert_eq!(
            StockUnitStatus::registered(Some("in_production")).ok(),
            Some(StockUnitStatus::InProduction)
        );
        for refused in ["allocated", "delivered", "nonsense"] {
            assert!(matches!(
                StockUnitStatus::registered(Some(refused)),
                Err(DomainError::Invalid(_))
            ));
        }
        assert_eq!(
            StockUnitStatus::InWarehouse.registration_movement(),
            "receive"
        );
        assert_eq!(
            StockUnitStatus::InProduction.registration_movement(),
            "produce"
        );
    }

    #[test]
    fn invoice_status_follows_payments() {
        assert_eq!(InvoiceStatus::of(100, 0), InvoiceStatus::Unpaid);
        assert_eq!(InvoiceStatus::of(100, 40), InvoiceStatus::PartiallyPaid);
        assert_eq!(InvoiceStatus::of(100, 100), InvoiceStatus::Paid);
    }

    #[test]
    fn a_payment_is_confirmed_once() {
        assert_eq!(
            PaymentStatus::recorded_by_oem(true),
            PaymentStatus::Confirmed
        );
        assert_eq!(
            PaymentStatus::recorded_by_oem(false),
            PaymentStatus::Pending
        );
        assert_eq!(
            PaymentStatus::Pending.apply(PaymentAction::Confirm).ok(),
            Some(PaymentStatus::Confirmed)
        );
        assert!(PaymentStatus::Confirmed
            .apply(PaymentAction::Confirm)
            .is_err());
        assert!(DealerPaymentMethod::parse_field("cheque").is_err());
        assert_eq!(
            DealerPaymentMethod::parse_field("offset").ok(),
            Some(DealerPaymentMethod::Offset)
        );
    }
}
