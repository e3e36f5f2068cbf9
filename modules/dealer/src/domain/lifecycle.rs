//! Quotation and sales-order lifecycles.

use kernel::ApiError;

fn refuse(from: &str, action: &str, allowed: &[&str]) -> ApiError {
    ApiError::illegal_transition(
        from,
        action,
        allowed.iter().map(|a| (*a).to_owned()).collect(),
    )
}

/// Quotations: draft → sent → accepted | rejected | expired (valid-until passed) → converted.
pub fn quotation_allowed(status: &str) -> &'static [&'static str] {
    match status {
        "draft" => &["send"],
        "sent" => &["accept", "reject"],
        "accepted" => &["convert"],
        _ => &[],
    }
}

pub fn quotation_next(status: &str, action: &str) -> Result<&'static str, ApiError> {
    let next = match (status, action) {
        ("draft", "send") => "sent",
        ("sent", "accept") => "accepted",
        ("sent", "reject") => "rejected",
        ("accepted", "convert") => "converted",
        _ => return Err(refuse(status, action, quotation_allowed(status))),
    };
    Ok(next)
}

/// Sales orders: pending (awaiting a manager) → approved → contracted (contract signed) → paid →
/// delivery_scheduled → delivered; cancelled before any payment.
pub fn order_allowed(status: &str) -> &'static [&'static str] {
    match status {
        "pending" => &["approve", "cancel"],
        "approved" => &["contract", "sign", "cancel"],
        "contracted" => &["payments", "cancel"],
        "paid" => &["delivery"],
        "delivery_scheduled" => &["deliver"],
        _ => &[],
    }
}

/// Checks that `action` is allowed in `status`, or a 409 naming the allowed actions.
pub fn order_check(status: &str, action: &str) -> Result<(), ApiError> {
    if order_allowed(status).contains(&action) {
        Ok(())
    } else {
        Err(refuse(status, action, order_allowed(status)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_and_orders_follow_their_lifecycles() {
        assert_eq!(quotation_next("draft", "send").unwrap(), "sent");
        assert!(quotation_next("draft", "accept").is_err());
        assert!(quotation_next("converted", "convert").is_err());
        assert!(order_check("pending", "approve").is_ok());
        assert!(order_check("paid", "cancel").is_err());
        assert!(order_check("delivered", "deliver").is_err());
    }
}
