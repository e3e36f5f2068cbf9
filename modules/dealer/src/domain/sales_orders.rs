//! Sales orders: pending (awaiting a manager) → approved → contracted (contract signed) → paid →
//! delivery_scheduled → delivered; or cancelled.

use contracts::Money;
use kernel::{DomainError, DomainResult, ErrorCode, Lifecycle};

kernel::text_enum! {
    pub enum SalesOrderStatus {
        /// Waits for a manager (the discount was above what staff may give alone).
        Pending = "pending",
        Approved = "approved",
        /// The contract is signed; payments are taken.
        Contracted = "contracted",
        Paid = "paid",
        DeliveryScheduled = "delivery_scheduled",
        Delivered = "delivered",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Approve,
    /// Drafting the contract; the order stays approved.
    Contract,
    Sign,
    /// Recording a payment; paying the last of it makes the order paid.
    Pay,
    ScheduleDelivery,
    Deliver,
    Cancel,
}

impl Lifecycle for SalesOrderStatus {
    type Action = OrderAction;
    const ACTIONS: &'static [OrderAction] = &[
        OrderAction::Approve,
        OrderAction::Contract,
        OrderAction::Sign,
        OrderAction::Pay,
        OrderAction::ScheduleDelivery,
        OrderAction::Deliver,
        OrderAction::Cancel,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: OrderAction) -> &'static str {
        match action {
            OrderAction::Approve => "approve",
            OrderAction::Contract => "contract",
            OrderAction::Sign => "sign",
            OrderAction::Pay => "payments",
            OrderAction::ScheduleDelivery => "delivery",
            OrderAction::Deliver => "deliver",
            OrderAction::Cancel => "cancel",
        }
    }

    fn next(self, action: OrderAction) -> Option<Self> {
        use OrderAction as A;
        use SalesOrderStatus as S;
        match (self, action) {
            (S::Pending, A::Approve) => Some(S::Approved),
            (S::Approved, A::Contract) => Some(S::Approved),
            (S::Approved, A::Sign) => Some(S::Contracted),
            (S::Contracted, A::Pay) => Some(S::Contracted),
            (S::Paid, A::ScheduleDelivery) => Some(S::DeliveryScheduled),
            (S::DeliveryScheduled, A::Deliver) => Some(S::Delivered),
            // Any status before the hand-over; whether money was received decides
            // (`check_cancel`).
            (
                S::Pending | S::Approved | S::Contracted | S::Paid | S::DeliveryScheduled,
                A::Cancel,
            ) => Some(S::Cancelled),
            _ => None,
        }
    }
}

impl SalesOrderStatus {
    /// Where a new order starts: waiting for a manager, or approved.
    pub fn initial(needs_approval: bool) -> Self {
        if needs_approval {
            Self::Pending
        } else {
            Self::Approved
        }
    }

    /// Orders still in progress (neither delivered nor cancelled).
    pub const OPEN: [SalesOrderStatus; 5] = [
        Self::Pending,
        Self::Approved,
        Self::Contracted,
        Self::Paid,
        Self::DeliveryScheduled,
    ];

    /// The cancellation rule, the one place it is decided. A dealer expects to cancel an
    /// order as long as no money has changed hands, whatever paperwork exists (a signed
    /// contract is cancelled with it); once any payment was received, cancelling would need a
    /// refund, which this system does not do, so it is refused with 409 `payments_received`.
    /// (Earlier the handler said "only before any payment" while the state table allowed
    /// cancelling a contracted order; both now read this rule.) A delivered or cancelled order
    /// is past cancelling: 409 `illegal_transition`.
    pub fn check_cancel(self, paid: Money) -> DomainResult<Self> {
        if paid > Money::ZERO && self != Self::Cancelled {
            return Err(DomainError::conflict(
                ErrorCode::PaymentsReceived,
                format!("cannot cancel while {self}: payments were received"),
            ));
        }
        self.apply(OrderAction::Cancel)
    }

    /// What may be done next with an order in this status that has received `paid`, by the
    /// names the API uses (`cancel` only while nothing was paid).
    pub fn actions_for(self, paid: Money) -> Vec<String> {
        self.allowed()
            .into_iter()
            .filter(|action| *action != OrderAction::Cancel || self.check_cancel(paid).is_ok())
            .map(|action| Self::action_name(action).to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{OrderAction as A, SalesOrderStatus as S, *};

    #[test]
    fn orders_follow_their_lifecycle() {
        assert_eq!(S::initial(true), S::Pending);
        assert_eq!(S::initial(false), S::Approved);
        assert_eq!(S::Pending.apply(A::Approve).ok(), Some(S::Approved));
        assert!(S::Approved.apply(A::Approve).is_err());
        assert_eq!(S::Approved.apply(A::Contract).ok(), Some(S::Approved));
        assert_eq!(S::Approved.apply(A::Sign).ok(), Some(S::Contracted));
        assert!(S::Approved.apply(A::Pay).is_err(), "sign before paying");
        assert_eq!(S::Contracted.apply(A::Pay).ok(), Some(S::Contracted));
        assert_eq!(
            S::Paid.apply(A::ScheduleDelivery).ok(),
            Some(S::DeliveryScheduled)
        );
        assert!(S::Contracted.apply(A::ScheduleDelivery).is_err());
        assert_eq!(
            S::DeliveryScheduled.apply(A::Deliver).ok(),
            Some(S::Delivered)
        );
        assert!(S::Delivered.allowed().is_empty());
        assert!(S::Cancelled.allowed().is_empty());
    }

    #[test]
    fn an_order_is_cancelled_only_while_nothing_was_paid() {
        for status in [S::Pending, S::Approved, S::Contracted] {
            assert_eq!(status.check_cancel(Money::ZERO).ok(), Some(S::Cancelled));
        }
        for status in [S::Contracted, S::Paid, S::DeliveryScheduled, S::Delivered] {
            match status.check_cancel(Money(1)) {
                Err(DomainError::Conflict { code, .. }) => {
                    assert_eq!(code, ErrorCode::PaymentsReceived, "{status}");
                }
                other => panic!("{status}: expected payments_received, got {other:?}"),
            }
        }
        assert!(matches!(
            S::Cancelled.check_cancel(Money::ZERO),
            Err(DomainError::IllegalTransition { .. })
        ));
        assert!(matches!(
            S::Delivered.check_cancel(Money::ZERO),
            Err(DomainError::IllegalTransition { .. })
        ));
    }

    #[test]
    fn allowed_actions_offer_cancel_only_while_unpaid() {
        assert_eq!(S::Pending.actions_for(Money::ZERO), ["approve", "cancel"]);
        assert_eq!(
            S::Approved.actions_for(Money::ZERO),
            ["contract", "sign", "cancel"]
        );
        assert_eq!(
            S::Contracted.actions_for(Money::ZERO),
            ["payments", "cancel"]
        );
        assert_eq!(S::Contracted.actions_for(Money(10)), ["payments"]);
        assert_eq!(S::Paid.actions_for(Money(10)), ["delivery"]);
        assert_eq!(S::DeliveryScheduled.actions_for(Money(10)), ["deliver"]);
        assert!(S::Delivered.actions_for(Money(10)).is_empty());
    }
}
