//! Quotations: draft → sent → accepted | rejected | expired (valid-until passed) → converted.

use chrono::NaiveDate;
use kernel::{DomainError, DomainResult, Lifecycle};

kernel::text_enum! {
    pub enum QuotationStatus {
        Draft = "draft",
        Sent = "sent",
        Accepted = "accepted",
        Rejected = "rejected",
        /// Sent, and its validity passed before the customer answered.
        Expired = "expired",
        /// Turned into a sales order.
        Converted = "converted",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotationAction {
    Send,
    Accept,
    Reject,
    Convert,
}

impl Lifecycle for QuotationStatus {
    type Action = QuotationAction;
    const ACTIONS: &'static [QuotationAction] = &[
        QuotationAction::Send,
        QuotationAction::Accept,
        QuotationAction::Reject,
        QuotationAction::Convert,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: QuotationAction) -> &'static str {
        match action {
            QuotationAction::Send => "send",
            QuotationAction::Accept => "accept",
            QuotationAction::Reject => "reject",
            QuotationAction::Convert => "convert",
        }
    }

    fn next(self, action: QuotationAction) -> Option<Self> {
        use QuotationAction as A;
        use QuotationStatus as S;
        match (self, action) {
            (S::Draft, A::Send) => Some(S::Sent),
            (S::Sent, A::Accept) => Some(S::Accepted),
            (S::Sent, A::Reject) => Some(S::Rejected),
            (S::Accepted, A::Convert) => Some(S::Converted),
            _ => None,
        }
    }
}

impl QuotationStatus {
    /// A sent quotation whose validity has passed is expired, whether or not anyone wrote it
    /// down.
    pub fn effective(self, valid_until: NaiveDate, today: NaiveDate) -> Self {
        if self == Self::Sent && valid_until < today {
            Self::Expired
        } else {
            self
        }
    }
}

/// How long a quotation holds its price unless the salesperson says otherwise.
pub const DEFAULT_VALIDITY_DAYS: u64 = 14;

/// The last day the quotation's price holds: as requested (not in the past), or two weeks.
pub fn valid_until(requested: Option<NaiveDate>, today: NaiveDate) -> DomainResult<NaiveDate> {
    let until = requested.unwrap_or(today + chrono::Days::new(DEFAULT_VALIDITY_DAYS));
    if until < today {
        return Err(DomainError::invalid(
            "validUntil",
            "must not be in the past",
        ));
    }
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::{QuotationAction as A, QuotationStatus as S, *};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn quotations_are_sent_answered_and_converted() {
        assert_eq!(S::Draft.apply(A::Send).ok(), Some(S::Sent));
        assert!(S::Draft.apply(A::Accept).is_err());
        assert_eq!(S::Sent.allowed_names(), ["accept", "reject"]);
        assert_eq!(S::Accepted.apply(A::Convert).ok(), Some(S::Converted));
        assert!(S::Converted.apply(A::Convert).is_err());
        assert!(S::Rejected.allowed().is_empty());
    }

    #[test]
    fn a_sent_quotation_expires_after_its_validity() {
        assert_eq!(S::Sent.effective(day(10), day(10)), S::Sent);
        assert_eq!(S::Sent.effective(day(10), day(11)), S::Expired);
        assert!(S::Sent
            .effective(day(10), day(11))
            .apply(A::Accept)
            .is_err());
        assert_eq!(S::Accepted.effective(day(10), day(11)), S::Accepted);
        assert_eq!(S::Draft.effective(day(10), day(11)), S::Draft);
    }

    #[test]
    fn validity_defaults_to_two_weeks_and_is_never_past() {
        assert_eq!(valid_until(None, day(1)).unwrap(), day(15));
        assert_eq!(valid_until(Some(day(1)), day(1)).unwrap(), day(1));
        assert!(valid_until(Some(day(1)), day(2)).is_err());
    }
}
