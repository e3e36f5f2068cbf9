//! Lifecycles of catalog models, OEM stock units, dealer orders and invoices.

use kernel::ApiError;

/// A dealer order's status (docs/domain.md, "Lifecycles": pending → approved → allocated →
/// shipped → delivered, or cancelled (only while pending) | rejected | disputed → resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Approved,
    Allocated,
    Shipped,
    Delivered,
    Disputed,
    Resolved,
    Rejected,
    Cancelled,
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

impl OrderAction {
    pub const ALL: [OrderAction; 8] = [
        OrderAction::Approve,
        OrderAction::Reject,
        OrderAction::Cancel,
        OrderAction::Allocate,
        OrderAction::Ship,
        OrderAction::Deliver,
        OrderAction::Dispute,
        OrderAction::Resolve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
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
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Approved => "approved",
            OrderStatus::Allocated => "allocated",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Disputed => "disputed",
            OrderStatus::Resolved => "resolved",
            OrderStatus::Rejected => "rejected",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        [
            OrderStatus::Pending,
            OrderStatus::Approved,
            OrderStatus::Allocated,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            OrderStatus::Disputed,
            OrderStatus::Resolved,
            OrderStatus::Rejected,
            OrderStatus::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }

    /// The status an action leads to from here, if it is allowed.
    pub fn after(self, action: OrderAction) -> Option<OrderStatus> {
        use OrderAction as A;
        use OrderStatus as S;
        match (self, action) {
            (S::Pending, A::Approve) => Some(S::Approved),
            (S::Pending, A::Reject) => Some(S::Rejected),
            (S::Pending, A::Cancel) => Some(S::Cancelled),
            (S::Approved, A::Allocate) => Some(S::Allocated),
            (S::Allocated, A::Ship) => Some(S::Shipped),
            (S::Shipped, A::Deliver) => Some(S::Delivered),
            (S::Shipped, A::Dispute) => Some(S::Disputed),
            (S::Disputed, A::Resolve) => Some(S::Resolved),
            _ => None,
        }
    }

    /// The actions allowed from here.
    pub fn allowed(self) -> Vec<String> {
        OrderAction::ALL
            .into_iter()
            .filter(|a| self.after(*a).is_some())
            .map(|a| a.as_str().to_owned())
            .collect()
    }

    /// The next status, or a 409 naming the allowed actions.
    pub fn transition(self, action: OrderAction) -> Result<OrderStatus, ApiError> {
        self.after(action).ok_or_else(|| {
            ApiError::illegal_transition(self.as_str(), action.as_str(), self.allowed())
        })
    }

    /// Orders that count against the dealer's credit until they are invoiced.
    pub const COMMITTED: [OrderStatus; 2] = [OrderStatus::Approved, OrderStatus::Allocated];
}

/// A vehicle model's catalog status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelStatus {
    Draft,
    Published,
    Discontinued,
}

impl ModelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Draft => "draft",
            ModelStatus::Published => "published",
            ModelStatus::Discontinued => "discontinued",
        }
    }

    pub fn parse(s: &str) -> Option<ModelStatus> {
        [
            ModelStatus::Draft,
            ModelStatus::Published,
            ModelStatus::Discontinued,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }

    /// draft → published → discontinued (and a discontinued model may be published again).
    pub fn transition(self, to: ModelStatus) -> Result<ModelStatus, ApiError> {
        let ok = matches!(
            (self, to),
            (ModelStatus::Draft, ModelStatus::Published)
                | (ModelStatus::Published, ModelStatus::Discontinued)
                | (ModelStatus::Discontinued, ModelStatus::Published)
        );
        let action = match to {
            ModelStatus::Published => "publish",
            ModelStatus::Discontinued => "discontinue",
            ModelStatus::Draft => "draft",
        };
        let allowed = match self {
            ModelStatus::Draft => vec!["publish".to_owned()],
            ModelStatus::Published => vec!["discontinue".to_owned()],
            ModelStatus::Discontinued => vec!["publish".to_owned()],
        };
        ok.then_some(to)
            .ok_or_else(|| ApiError::illegal_transition(self.as_str(), action, allowed))
    }
}

/// Variant lifecycle statuses (docs/domain.md, "Lifecycles").
pub const VARIANT_STATUSES: [&str; 3] = ["in_production", "coming_soon", "discontinued"];

/// OEM stock unit statuses, in their order.
pub mod stock {
    pub const IN_PRODUCTION: &str = "in_production";
    pub const IN_WAREHOUSE: &str = "in_warehouse";
    pub const ALLOCATED: &str = "allocated";
    pub const IN_TRANSIT: &str = "in_transit";
    pub const DELIVERED: &str = "delivered";
    pub const ALL: [&str; 5] = [
        IN_PRODUCTION,
        IN_WAREHOUSE,
        ALLOCATED,
        IN_TRANSIT,
        DELIVERED,
    ];
}

/// A dealer invoice's payment status given what has been paid.
pub fn invoice_status(amount: i64, paid: i64) -> &'static str {
    if paid <= 0 {
        "unpaid"
    } else if paid < amount {
        "partially_paid"
    } else {
        "paid"
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
            status = status.transition(action).unwrap();
        }
        assert_eq!(status, OrderStatus::Delivered);
        assert_eq!(
            OrderStatus::Shipped
                .transition(OrderAction::Dispute)
                .unwrap()
                .transition(OrderAction::Resolve)
                .unwrap(),
            OrderStatus::Resolved
        );
    }

    #[test]
    fn cancelling_is_only_possible_while_pending() {
        assert_eq!(
            OrderStatus::Pending.after(OrderAction::Cancel),
            Some(OrderStatus::Cancelled)
        );
        let error = OrderStatus::Approved
            .transition(OrderAction::Cancel)
            .unwrap_err();
        assert_eq!(error.kind(), kernel::error::ErrorKind::Conflict);
        assert_eq!(OrderStatus::Approved.allowed(), vec!["allocate".to_owned()]);
        assert!(OrderStatus::Delivered.allowed().is_empty());
    }

    #[test]
    fn models_publish_and_discontinue() {
        assert!(ModelStatus::Draft
            .transition(ModelStatus::Published)
            .is_ok());
        assert!(ModelStatus::Draft
            .transition(ModelStatus::Discontinued)
            .is_err());
        assert!(ModelStatus::Published
            .transition(ModelStatus::Published)
            .is_err());
    }

    #[test]
    fn invoice_status_follows_payments() {
        assert_eq!(invoice_status(100, 0), "unpaid");
        assert_eq!(invoice_status(100, 40), "partially_paid");
        assert_eq!(invoice_status(100, 100), "paid");
    }
}
