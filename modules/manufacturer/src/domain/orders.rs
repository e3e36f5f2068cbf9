//! Placing a dealer order: one line per variant × colour, and a total that fits in money.

use contracts::Money;
use kernel::{DomainError, DomainResult};
use uuid::Uuid;

/// Each variant × colour may appear on one line only (422 on the repeated line).
pub fn check_distinct_lines(lines: &[(Uuid, Uuid)]) -> DomainResult<()> {
    for (i, line) in lines.iter().enumerate() {
        if lines.get(..i).is_some_and(|before| before.contains(line)) {
            return Err(DomainError::invalid(
                format!("lines[{i}]"),
                "variant and colour already ordered on another line",
            ));
        }
    }
    Ok(())
}

/// The order total of its priced lines (422 on `lines` if it does not fit).
pub fn total(line_totals: impl IntoIterator<Item = Money>) -> DomainResult<Money> {
    line_totals
        .into_iter()
        .try_fold(Money::ZERO, Money::checked_add)
        .ok_or_else(|| DomainError::invalid("lines", "order total too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_and_colour_is_ordered_on_one_line() {
        let (a, b, white) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert!(check_distinct_lines(&[(a, white), (b, white)]).is_ok());
        match check_distinct_lines(&[(a, white), (b, white), (a, white)]) {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "lines[2]"),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn totals_add_up_or_are_refused() {
        assert_eq!(total([Money(5), Money(7)]).ok(), Some(Money(12)));
        assert!(total([Money(i64::MAX), Money(1)]).is_err());
    }
}
