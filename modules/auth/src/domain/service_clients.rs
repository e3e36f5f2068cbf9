//! Service clients' scopes: what a client may hold and what a token request may ask for.

use super::errors::{AuthError, AuthResult};
use kernel::{DomainError, DomainResult, ErrorCode};

/// Scopes look like `resource:action` (lower case, digits, `_`, `-`, `.`); stored sorted,
/// deduplicated and space-separated.
pub fn parse_scopes(scopes: &[String]) -> DomainResult<String> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '_' | '-' | '.')
            })
    };
    if let Some(bad) = scopes.iter().find(|s| !valid(s)) {
        return Err(DomainError::invalid(
            "scopes",
            format!("`{bad}` is not a valid scope"),
        ));
    }
    let mut unique: Vec<&str> = scopes.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    Ok(unique.join(" "))
}

/// The scopes a client-credentials token carries: all the client's, or the subset asked for
/// (space-separated); asking for one not granted is 400 `invalid_scope`.
pub fn token_scopes(granted: Vec<String>, asked: Option<&str>) -> AuthResult<Vec<String>> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(granted),
        Some(asked) => {
            let asked: Vec<String> = asked.split_whitespace().map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(AuthError::bad_request(
                    ErrorCode::InvalidScope,
                    format!("scope `{extra}` is not granted to this client"),
                ));
            }
            Ok(asked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scopes_are_checked_sorted_and_deduplicated() {
        assert_eq!(
            parse_scopes(&list(&["report:read", "dealer:read", "report:read"])).unwrap(),
            "dealer:read report:read"
        );
        assert!(parse_scopes(&list(&["Report:Read"])).is_err());
        assert!(parse_scopes(&list(&[""])).is_err());
        assert_eq!(parse_scopes(&[]).unwrap(), "");
    }

    #[test]
    fn a_token_gets_the_granted_scopes_or_a_subset() {
        let granted = list(&["a:read", "b:write"]);
        assert_eq!(token_scopes(granted.clone(), None).unwrap(), granted);
        assert_eq!(token_scopes(granted.clone(), Some("  ")).unwrap(), granted);
        assert_eq!(
            token_scopes(granted.clone(), Some("b:write")).unwrap(),
            list(&["b:write"])
        );
        assert_eq!(
            token_scopes(granted, Some("a:read c:admin"))
                .unwrap_err()
                .code(),
            Some(ErrorCode::InvalidScope)
        );
    }
}
