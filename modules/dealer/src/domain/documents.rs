//! Numbers people read on documents (quotations, orders, contracts).

use chrono::NaiveDate;
use uuid::Uuid;

/// `prefix-YYYYMMDD-XXXXXXXX`: the day, then the random tail of a UUIDv7 (unique with the id).
pub fn number(prefix: &str, id: Uuid, day: NaiveDate) -> String {
    let tail = id.simple().to_string();
    let tail = tail
        .get(tail.len().saturating_sub(8)..)
        .unwrap_or_default()
        .to_uppercase();
    format!("{prefix}-{}-{tail}", day.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_the_day_and_the_ids_tail() {
        let id = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_abcd_ef12);
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(number("SO", id, day), "SO-20261201-ABCDEF12");
    }
}
