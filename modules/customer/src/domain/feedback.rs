//! Feedback and complaints: new → in_progress → resolved → closed; a resolved case may be
//! reopened; resolving says how.

use kernel::{DomainError, DomainResult, Lifecycle};

kernel::text_enum! {
    pub enum FeedbackKind {
        Complaint = "complaint",
        Suggestion = "suggestion",
        Praise = "praise",
    }
}

kernel::text_enum! {
    pub enum Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

kernel::text_enum! {
    /// How the feedback reached the dealer.
    pub enum FeedbackChannel {
        Phone = "phone",
        Email = "email",
        InPerson = "in_person",
        Web = "web",
        Social = "social",
    }
}

kernel::text_enum! {
    pub enum FeedbackStatus {
        New = "new",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackAction {
    Start,
    Resolve,
    Close,
    Reopen,
}

impl Lifecycle for FeedbackStatus {
    type Action = FeedbackAction;
    const ACTIONS: &'static [FeedbackAction] = &[
        FeedbackAction::Start,
        FeedbackAction::Resolve,
        FeedbackAction::Close,
        FeedbackAction::Reopen,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: FeedbackAction) -> &'static str {
        match action {
            FeedbackAction::Start => "start",
            FeedbackAction::Resolve => "resolve",
            FeedbackAction::Close => "close",
            FeedbackAction::Reopen => "reopen",
        }
    }

    fn next(self, action: FeedbackAction) -> Option<Self> {
        use FeedbackAction as A;
        use FeedbackStatus as S;
        match (self, action) {
            (S::New, A::Start) | (S::Resolved, A::Reopen) => Some(S::InProgress),
            (S::New | S::InProgress, A::Resolve) => Some(S::Resolved),
            (S::Resolved, A::Close) => Some(S::Closed),
            _ => None,
        }
    }
}

impl FeedbackStatus {
    /// A closed case is settled: it can no longer be given to someone.
    pub fn check_assignable(self) -> DomainResult<()> {
        if self == Self::Closed {
            return Err(DomainError::illegal_transition(
                self.as_str(),
                "assign",
                Vec::new(),
            ));
        }
        Ok(())
    }
}

/// Resolving needs a (non-blank) account of what was done.
pub fn resolution(note: Option<String>) -> DomainResult<String> {
    note.filter(|r| !r.trim().is_empty())
        .ok_or_else(|| DomainError::invalid("resolution", "say how it was resolved"))
}

#[cfg(test)]
mod tests {
    use super::{FeedbackAction as A, FeedbackStatus as S, *};

    #[test]
    fn cases_are_worked_resolved_and_closed_or_reopened() {
        assert_eq!(S::New.apply(A::Resolve).ok(), Some(S::Resolved));
        assert_eq!(S::Resolved.apply(A::Reopen).ok(), Some(S::InProgress));
        assert!(S::Closed.apply(A::Reopen).is_err());
        assert!(S::New.apply(A::Close).is_err());
        assert_eq!(S::New.allowed_names(), ["start", "resolve"]);
        assert!(S::Closed.check_assignable().is_err());
        assert!(S::Resolved.check_assignable().is_ok());
    }

    #[test]
    fn resolving_says_how() {
        assert!(resolution(None).is_err());
        assert!(resolution(Some("  ".into())).is_err());
        assert_eq!(
            resolution(Some("replaced".into())).ok().as_deref(),
            Some("replaced")
        );
    }
}
