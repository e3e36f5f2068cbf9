//! The lead funnel: stages in order, so "reached" means "at or beyond".

/// Lead stages from first contact to a sale (`lost` is not a stage of the funnel).
pub const STAGES: [&str; 6] = [
    "new",
    "contacted",
    "qualified",
    "test_drive",
    "negotiation",
    "won",
];

/// The position of a stage in the funnel; `lost` and unknown stages have none.
pub fn rank(stage: &str) -> Option<i32> {
    STAGES
        .iter()
        .position(|s| *s == stage)
        .and_then(|i| i32::try_from(i).ok())
}

/// `part / whole` as a ratio, 0 when there is nothing to divide.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_rank_in_funnel_order() {
        assert_eq!(rank("new"), Some(0));
        assert_eq!(rank("won"), Some(5));
        assert_eq!(rank("lost"), None);
        assert_eq!(ratio(1, 4), 0.25);
        assert_eq!(ratio(1, 0), 0.0);
    }
}
