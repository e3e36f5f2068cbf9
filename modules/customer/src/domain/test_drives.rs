//! Test drives: scheduled → confirmed → completed | no_show; cancelled before it happens; a
//! completed drive takes the customer's rating once.

use kernel::Lifecycle;

kernel::text_enum! {
    pub enum TestDriveStatus {
        Scheduled = "scheduled",
        Confirmed = "confirmed",
        Completed = "completed",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestDriveAction {
    Confirm,
    Complete,
    NoShow,
    Cancel,
    /// The customer's rating; the drive stays completed.
    Feedback,
}

impl Lifecycle for TestDriveStatus {
    type Action = TestDriveAction;
    const ACTIONS: &'static [TestDriveAction] = &[
        TestDriveAction::Confirm,
        TestDriveAction::Complete,
        TestDriveAction::NoShow,
        TestDriveAction::Cancel,
        TestDriveAction::Feedback,
    ];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: TestDriveAction) -> &'static str {
        match action {
            TestDriveAction::Confirm => "confirm",
            TestDriveAction::Complete => "complete",
            TestDriveAction::NoShow => "no-show",
            TestDriveAction::Cancel => "cancel",
            TestDriveAction::Feedback => "feedback",
        }
    }

    fn next(self, action: TestDriveAction) -> Option<Self> {
        use TestDriveAction as A;
        use TestDriveStatus as S;
        match (self, action) {
            (S::Scheduled, A::Confirm) => Some(S::Confirmed),
            (S::Confirmed, A::Complete) => Some(S::Completed),
            (S::Confirmed, A::NoShow) => Some(S::NoShow),
            (S::Scheduled | S::Confirmed, A::Cancel) => Some(S::Cancelled),
            (S::Completed, A::Feedback) => Some(S::Completed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TestDriveAction as A, TestDriveStatus as S};
    use kernel::Lifecycle;

    #[test]
    fn drives_are_confirmed_then_completed_or_missed() {
        assert_eq!(S::Scheduled.apply(A::Confirm).ok(), Some(S::Confirmed));
        assert!(S::Scheduled.apply(A::Complete).is_err());
        assert!(S::Completed.apply(A::Cancel).is_err());
        assert_eq!(S::Confirmed.apply(A::NoShow).ok(), Some(S::NoShow));
        assert_eq!(
            S::Confirmed.allowed_names(),
            ["complete", "no-show", "cancel"]
        );
        assert_eq!(S::Completed.allowed_names(), ["feedback"]);
        assert!(S::Cancelled.allowed().is_empty());
    }
}
