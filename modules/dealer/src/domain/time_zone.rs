//! A dealer's local time zone: a name from the IANA tz database (e.g. `Asia/Ho_Chi_Minh`).

use kernel::{DomainError, DomainResult};

/// [`parse`] for a request: a bad zone is a 422 naming `timeZone`.
pub fn field(input: &str) -> DomainResult<Option<String>> {
    parse(input).map_err(|message| DomainError::invalid("timeZone", message))
}

/// The zone named `input` in its canonical spelling; `Ok(None)` for a blank one (no zone: the
/// consumers' default applies).
pub fn parse(input: &str) -> Result<Option<String>, String> {
    let name = input.trim();
    if name.is_empty() {
        return Ok(None);
    }
    name.parse::<chrono_tz::Tz>()
        .map(|zone| Some(zone.name().to_owned()))
        .map_err(|_| format!("`{name}` is not an IANA time zone like Asia/Ho_Chi_Minh"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tz_database_names_are_zones() {
        assert_eq!(
            parse(" Asia/Ho_Chi_Minh ").unwrap().as_deref(),
            Some("Asia/Ho_Chi_Minh")
        );
        assert_eq!(parse("").unwrap(), None);
        assert!(parse("Mars/Olympus_Mons").is_err());
        assert!(parse("+07:00").is_err());
    }
}
