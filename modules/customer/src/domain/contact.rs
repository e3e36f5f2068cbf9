//! Contact details as duplicate detection compares them.

/// Digits only, international prefix `00` dropped: `+84 90-123 4567` and `0084901234567` are one
/// number. 7 to 15 digits (E.164 allows 15).
pub fn normalize_phone(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    let mut digits = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err("may hold only digits, spaces, dashes, dots, brackets and a leading +")
            }
        }
    }
    let digits = match digits.strip_prefix("00") {
        Some(rest) => rest.to_owned(),
        None => digits,
    };
    if !(7..=15).contains(&digits.len()) {
        return Err("must have 7 to 15 digits");
    }
    Ok(digits)
}

/// Trimmed and lower-cased; one `@` with something on both sides and a dot in the domain.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email)
    } else {
        Err("is not an email address")
    }
}

/// The form of a name that search compares: trimmed, single-spaced, lower-case.
pub fn search_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_different_notations_are_one_number() {
        assert_eq!(normalize_phone("+84 90-123 4567"), Ok("84901234567".into()));
        assert_eq!(
            normalize_phone("0084 (90) 123.4567"),
            Ok("84901234567".into())
        );
        assert_eq!(normalize_phone("090 123 4567"), Ok("0901234567".into()));
        assert!(normalize_phone("12345").is_err());
        assert!(normalize_phone("090x1234567").is_err());
        assert!(normalize_phone("12+3456789").is_err());
    }

    #[test]
    fn emails_compare_case_insensitively() {
        assert_eq!(
            normalize_email("  An.Nguyen@Example.COM "),
            Ok("an.nguyen@example.com".into())
        );
        for bad in [
            "nobody",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_keys_are_single_spaced_lower_case() {
        assert_eq!(search_key("  Nguyen   Van  AN "), "nguyen van an");
    }
}
