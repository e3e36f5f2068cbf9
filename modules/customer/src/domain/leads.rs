//! The sales pipeline: new → contacted → qualified → test_drive → negotiation → won | lost.
//! A lead moves forward only (any later open stage) or closes; a closed lead never moves.

use kernel::{DomainError, DomainResult};

kernel::text_enum! {
    pub enum LeadStage {
        New = "new",
        Contacted = "contacted",
        Qualified = "qualified",
        TestDrive = "test_drive",
        Negotiation = "negotiation",
        Won = "won",
        /// Needs a reason.
        Lost = "lost",
    }
}

kernel::text_enum! {
    pub enum LeadSource {
        WalkIn = "walk_in",
        Web = "web",
        Phone = "phone",
        Referral = "referral",
        Event = "event",
    }
}

impl LeadStage {
    /// The open stages, in pipeline order.
    pub const OPEN: [LeadStage; 5] = [
        Self::New,
        Self::Contacted,
        Self::Qualified,
        Self::TestDrive,
        Self::Negotiation,
    ];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The stages this lead may move to: any later open stage, `won` or `lost`.
    pub fn allowed(self) -> Vec<LeadStage> {
        match Self::OPEN.iter().position(|s| *s == self) {
            Some(at) => Self::OPEN[at + 1..]
                .iter()
                .copied()
                .chain([Self::Won, Self::Lost])
                .collect(),
            None => Vec::new(),
        }
    }

    /// Checks a move to `to`; `lost` needs a (non-blank) reason.
    pub fn check_move(self, to: LeadStage, reason: Option<&str>) -> DomainResult<()> {
        let allowed = self.allowed();
        if !allowed.contains(&to) {
            return Err(DomainError::illegal_transition(
                self.as_str(),
                format!("move to {to}"),
                allowed.iter().map(|s| s.as_str().to_owned()).collect(),
            ));
        }
        if to == Self::Lost && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(DomainError::invalid("reason", "say why the lead was lost"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::LeadStage::*;

    #[test]
    fn leads_move_forward_only_and_lost_needs_a_reason() {
        assert!(New.check_move(Qualified, None).is_ok());
        assert!(Negotiation.check_move(Won, None).is_ok());
        assert!(Qualified.check_move(Contacted, None).is_err());
        assert!(Won.check_move(Lost, Some("x")).is_err());
        assert!(Contacted.check_move(Lost, None).is_err());
        assert!(Contacted.check_move(Lost, Some("  ")).is_err());
        assert!(Contacted.check_move(Lost, Some("bought elsewhere")).is_ok());
        assert!(New.check_move(New, None).is_err());
        assert_eq!(Negotiation.allowed(), vec![Won, Lost]);
        assert!(Lost.allowed().is_empty());
        assert!(!Won.is_open());
    }
}
