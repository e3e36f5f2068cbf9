//! OEM stock rules: the low-stock threshold, and which warehouse units fill an order's lines.

use contracts::Vin;
use kernel::{error::FieldError, DomainError, DomainResult};
use uuid::Uuid;

/// Whether `available` warehouse units are low for a threshold: at it or below.
pub fn is_low(available: i64, threshold: i32) -> bool {
    available <= i64::from(threshold)
}

/// What a re-evaluation of a variant × colour's level means: the flag to store, and whether
/// `stock_low` is announced now (only on the way down, once until the level rises again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowStock {
    pub low: bool,
    pub announce: bool,
}

impl LowStock {
    /// `was_low`: the stored flag; `available`, `threshold`: the level now.
    pub fn evaluate(was_low: bool, available: i64, threshold: i32) -> LowStock {
        let low = is_low(available, threshold);
        LowStock {
            low,
            announce: low && !was_low,
        }
    }
}

/// VINs from a request: each must be valid and listed once (422 naming each bad entry under
/// `field[i]`).
pub fn parse_vins(raw: &[String], field: &str) -> DomainResult<Vec<Vin>> {
    let mut errors = Vec::new();
    let mut vins: Vec<Vin> = Vec::new();
    for (i, value) in raw.iter().enumerate() {
        match Vin::parse(value) {
            Ok(vin) if vins.contains(&vin) => {
                errors.push(FieldError::new(format!("{field}[{i}]"), "listed twice"))
            }
            Ok(vin) => vins.push(vin),
            Err(e) => errors.push(FieldError::new(format!("{field}[{i}]"), e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(vins)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// An order line as allocation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineNeed {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub quantity: i32,
}

/// Matches requested units `(variant, colour)` (in request order) to the lines: every unit
/// fills an unfilled line of its variant × colour, and every line is filled exactly. Returns
/// the index of the line each unit fills.
pub fn match_units(lines: &[LineNeed], units: &[(Uuid, Uuid)]) -> DomainResult<Vec<usize>> {
    let mut left: Vec<i32> = lines.iter().map(|l| l.quantity).collect();
    let mut out = Vec::with_capacity(units.len());
    for (i, (variant, colour)) in units.iter().enumerate() {
        let slot = lines.iter().enumerate().position(|(n, l)| {
            left.get(n).is_some_and(|q| *q > 0)
                && l.variant_id == *variant
                && l.colour_id == *colour
        });
        let Some(slot) = slot else {
            return Err(DomainError::invalid(
                format!("vins[{i}]"),
                "matches no unfilled line of the order (variant × colour × quantity)",
            ));
        };
        if let Some(q) = left.get_mut(slot) {
            *q -= 1;
        }
        out.push(slot);
    }
    if left.iter().any(|q| *q > 0) {
        return Err(DomainError::invalid(
            "vins",
            "allocate exactly the ordered quantity of every line",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_is_low_at_the_threshold_and_announced_once_on_the_way_down() {
        assert!(is_low(3, 3));
        assert!(!is_low(4, 3));
        assert_eq!(
            LowStock::evaluate(false, 2, 3),
            LowStock {
                low: true,
                announce: true
            }
        );
        // Already flagged: no second announcement.
        assert_eq!(
            LowStock::evaluate(true, 1, 3),
            LowStock {
                low: true,
                announce: false
            }
        );
        // Rising above re-arms it.
        assert_eq!(
            LowStock::evaluate(true, 10, 3),
            LowStock {
                low: false,
                announce: false
            }
        );
        assert!(LowStock::evaluate(false, 0, 0).announce);
    }

    #[test]
    fn requested_vins_are_checked_one_by_one() {
        let good = "1M8GDM9AXKP042788".to_owned();
        assert_eq!(
            parse_vins(std::slice::from_ref(&good), "vins")
                .unwrap()
                .len(),
            1
        );
        match parse_vins(&[good.clone(), "SHORT".into(), good], "vins") {
            Err(DomainError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["vins[1]", "vins[2]"]);
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn units_fill_every_line_exactly() {
        let (a, b, white, red) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let lines = [
            LineNeed {
                variant_id: a,
                colour_id: white,
                quantity: 2,
            },
            LineNeed {
                variant_id: b,
                colour_id: red,
                quantity: 1,
            },
        ];
        assert_eq!(
            match_units(&lines, &[(b, red), (a, white), (a, white)]).unwrap(),
            [1, 0, 0]
        );
        // Too few.
        assert!(matches!(
            match_units(&lines, &[(a, white), (b, red)]),
            Err(DomainError::Invalid(e)) if e[0].field == "vins"
        ));
        // One too many of a line, or of a colour not ordered.
        assert!(matches!(
            match_units(&lines, &[(b, red), (b, red)]),
            Err(DomainError::Invalid(e)) if e[0].field == "vins[1]"
        ));
        assert!(matches!(
            match_units(&lines, &[(a, red)]),
            Err(DomainError::Invalid(e)) if e[0].field == "vins[0]"
        ));
    }
}
