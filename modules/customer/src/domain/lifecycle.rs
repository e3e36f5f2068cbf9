//! Lead, test-drive and feedback lifecycles.

use kernel::ApiError;

fn refuse(from: &str, action: &str, allowed: &[&str]) -> ApiError {
    ApiError::illegal_transition(
        from,
        action,
        allowed.iter().map(|a| (*a).to_owned()).collect(),
    )
}

/// The open stages of the pipeline, in order; `won` and `lost` close a lead.
pub const OPEN_STAGES: [&str; 5] = ["new", "contacted", "qualified", "test_drive", "negotiation"];
pub const LEAD_SOURCES: [&str; 5] = ["walk_in", "web", "phone", "referral", "event"];

/// Stages a lead may move to: any later open stage, `won` or `lost`; never back, never out of
/// a closed stage.
pub fn lead_allowed(stage: &str) -> Vec<&'static str> {
    match OPEN_STAGES.iter().position(|s| *s == stage) {
        Some(at) => OPEN_STAGES[at + 1..]
            .iter()
            .copied()
            .chain(["won", "lost"])
            .collect(),
        None => Vec::new(),
    }
}

/// Checks a stage change; `lost` needs a reason.
pub fn lead_move(stage: &str, to: &str, reason: Option<&str>) -> Result<(), ApiError> {
    if !OPEN_STAGES.contains(&to) && to != "won" && to != "lost" {
        return Err(ApiError::invalid_field(
            "stage",
            "not a stage of the pipeline",
        ));
    }
    let allowed = lead_allowed(stage);
    if !allowed.contains(&to) {
        return Err(refuse(stage, &format!("move to {to}"), &allowed));
    }
    if to == "lost" && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ApiError::invalid_field(
            "reason",
            "say why the lead was lost",
        ));
    }
    Ok(())
}

/// Test drives: scheduled → confirmed → completed | no_show; cancelled before it happens.
pub fn test_drive_allowed(status: &str) -> &'static [&'static str] {
    match status {
        "scheduled" => &["confirm", "cancel"],
        "confirmed" => &["complete", "no-show", "cancel"],
        "completed" => &["feedback"],
        _ => &[],
    }
}

pub fn test_drive_next(status: &str, action: &str) -> Result<&'static str, ApiError> {
    let next = match (status, action) {
        ("scheduled", "confirm") => "confirmed",
        ("confirmed", "complete") => "completed",
        ("confirmed", "no-show") => "no_show",
        ("scheduled" | "confirmed", "cancel") => "cancelled",
        ("completed", "feedback") => "completed",
        _ => return Err(refuse(status, action, test_drive_allowed(status))),
    };
    Ok(next)
}

pub const FEEDBACK_KINDS: [&str; 3] = ["complaint", "suggestion", "praise"];
pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
pub const CHANNELS: [&str; 5] = ["phone", "email", "in_person", "web", "social"];

/// Feedback: new → in_progress → resolved → closed; a resolved case may be reopened.
pub fn feedback_allowed(status: &str) -> &'static [&'static str] {
    match status {
        "new" => &["start", "resolve"],
        "in_progress" => &["resolve"],
        "resolved" => &["close", "reopen"],
        _ => &[],
    }
}

pub fn feedback_next(status: &str, action: &str) -> Result<&'static str, ApiError> {
    let next = match (status, action) {
        ("new", "start") | ("resolved", "reopen") => "in_progress",
        ("new" | "in_progress", "resolve") => "resolved",
        ("resolved", "close") => "closed",
        _ => return Err(refuse(status, action, feedback_allowed(status))),
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_move_forward_only_and_lost_needs_a_reason() {
        assert!(lead_move("new", "qualified", None).is_ok());
        assert!(lead_move("negotiation", "won", None).is_ok());
        assert!(lead_move("qualified", "contacted", None).is_err());
        assert!(lead_move("won", "lost", Some("x")).is_err());
        assert!(lead_move("contacted", "lost", None).is_err());
        assert!(lead_move("contacted", "lost", Some("  ")).is_err());
        assert!(lead_move("contacted", "lost", Some("bought elsewhere")).is_ok());
        assert_eq!(lead_allowed("negotiation"), vec!["won", "lost"]);
        assert!(lead_allowed("lost").is_empty());
    }

    #[test]
    fn test_drive_and_feedback_transitions() {
        assert_eq!(
            test_drive_next("scheduled", "confirm").ok(),
            Some("confirmed")
        );
        assert!(test_drive_next("scheduled", "complete").is_err());
        assert!(test_drive_next("completed", "cancel").is_err());
        assert_eq!(
            test_drive_next("confirmed", "no-show").ok(),
            Some("no_show")
        );
        assert_eq!(feedback_next("new", "resolve").ok(), Some("resolved"));
        assert_eq!(
            feedback_next("resolved", "reopen").ok(),
            Some("in_progress")
        );
        assert!(feedback_next("closed", "reopen").is_err());
        assert!(feedback_next("new", "close").is_err());
    }
}
