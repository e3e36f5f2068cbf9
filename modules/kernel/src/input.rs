//! One input policy for everything the API accepts, applied once at the edge (before the rate
//! limiter's handlers, the access guard and every extractor), so that it holds for every endpoint
//! of every module — including the unauthenticated ones — and answers the same on every database:
//!
//! - no control character (Unicode `Cc`: U+0000–U+001F, U+007F–U+009F) in any query parameter,
//!   form field or HTTP Basic credential, and none in any JSON string or object key except tab,
//!   line feed and carriage return (free text may hold line breaks) → 422 naming the field;
//! - `page` and `pageSize`, wherever they appear in a query, are integers within
//!   [`MAX_PAGE`] / [`MAX_PAGE_SIZE`] → else 422 naming the field (text that is no integer at
//!   all is left to the extractor: 400).

use crate::error::{ApiError, ErrorKind, FieldError};
pub use crate::pagination::{MAX_PAGE, MAX_PAGE_SIZE};
use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{header, Method},
    middleware::Next,
    web, HttpMessage,
};
use futures_util::StreamExt;

/// Edge limits the policy needs (registered as app data by the binary).
#[derive(Debug, Clone, Copy)]
pub struct InputPolicy {
    /// Largest JSON body read (the JSON extractor's limit): over it 413.
    pub json_limit_bytes: usize,
}

impl Default for InputPolicy {
    fn default() -> Self {
        Self {
            json_limit_bytes: 256 * 1024,
        }
    }
}

/// A character refused in free text (JSON strings): every control character but `\t\n\r`.
pub fn refused_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A character refused in names, identifiers and query parameters: every control character.
pub fn refused_in_name(c: char) -> bool {
    c.is_control()
}

fn describe(c: char) -> String {
    format!(
        "must not contain control characters (found U+{:04X})",
        u32::from(c)
    )
}

/// Checks one free-text value.
pub fn check_text(field: &str, value: &str) -> Result<(), FieldError> {
    match value.chars().find(|c| refused_in_text(*c)) {
        Some(c) => Err(FieldError::new(field, describe(c))),
        None => Ok(()),
    }
}

/// Every refused string or key of a JSON document, named by path (`lines[0].note`).
pub fn check_json(value: &serde_json::Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    walk(value, "", &mut errors);
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    errors
}

fn walk(value: &serde_json::Value, path: &str, errors: &mut Vec<FieldError>) {
    // Bounded output: one hostile document should not produce a megabyte of errors.
    if errors.len() >= 20 {
        return;
    }
    match value {
        serde_json::Value::String(text) => {
            if let Err(error) = check_text(if path.is_empty() { "body" } else { path }, text) {
                errors.push(error);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{index}]"), errors);
            }
        }
        serde_json::Value::Object(members) => {
            for (key, item) in members {
                if let Some(c) = key.chars().find(|c| refused_in_name(*c)) {
                    let shown: String = key.escape_debug().collect();
                    let field = if path.is_empty() {
                        shown
                    } else {
                        format!("{path}.{shown}")
                    };
                    errors.push(FieldError::new(field, describe(c)));
                    continue;
                }
                let field = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(item, &field, errors);
            }
        }
        _ => {}
    }
}

/// Every refused query parameter: control characters anywhere, paging out of bounds.
pub fn check_query(query: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if errors.len() >= 20 {
            break;
        }
        if let Some(c) = key.chars().find(|c| refused_in_name(*c)) {
            errors.push(FieldError::new(
                key.escape_debug().collect::<String>(),
                describe(c),
            ));
            continue;
        }
        if let Some(c) = value.chars().find(|c| refused_in_name(*c)) {
            errors.push(FieldError::new(key.as_ref(), describe(c)));
            continue;
        }
        let bound = match key.as_ref() {
            "page" => MAX_PAGE,
            "pageSize" => MAX_PAGE_SIZE,
            _ => continue,
        };
        if let Err(message) = check_bounded(&value, bound) {
            errors.push(FieldError::new(key.as_ref(), message));
        }
    }
    errors
}

/// Every form field with a control character (form bodies carry names and secrets, not text).
pub fn check_form(body: &str) -> Vec<FieldError> {
    url::form_urlencoded::parse(body.as_bytes())
        .filter_map(|(key, value)| {
            let c = key
                .chars()
                .chain(value.chars())
                .find(|c| refused_in_name(*c))?;
            Some(FieldError::new(
                key.escape_debug().collect::<String>(),
                describe(c),
            ))
        })
        .take(20)
        .collect()
}

/// An integer in `1..=max`. Empty means "not given"; text that is no integer is not judged here.
fn check_bounded(value: &str, max: u64) -> Result<(), String> {
    let value = value.trim();
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let in_range =
        !value.starts_with('-') && digits.parse::<u64>().is_ok_and(|n| (1..=max).contains(&n));
    if in_range {
        Ok(())
    } else {
        Err(format!("must be an integer from 1 to {max}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
}

fn body_kind(req: &ServiceRequest) -> Option<BodyKind> {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())?;
    if media == "application/json" || media.ends_with("+json") {
        Some(BodyKind::Json)
    } else if media == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else {
        None
    }
}

/// HTTP Basic credentials (the client-credentials grant accepts them) follow the same rule.
fn check_basic_credentials(req: &ServiceRequest) -> Vec<FieldError> {
    use base64::Engine;
    let Some(encoded) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, value)| value.trim())
    else {
        return Vec::new();
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return Vec::new(); // the handler refuses it
    };
    let text = String::from_utf8_lossy(&decoded);
    match text.chars().find(|c| refused_in_name(*c)) {
        Some(c) => vec![FieldError::new("authorization", describe(c))],
        None => Vec::new(),
    }
}

/// The edge middleware applying the policy to the query string, Basic credentials and any JSON
/// or form body.
pub async fn enforce(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let mut errors = check_query(req.query_string());
    errors.extend(check_basic_credentials(&req));
    if !errors.is_empty() {
        return Ok(req
            .error_response(ApiError::validation(errors))
            .map_into_right_body());
    }
    let has_body = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let (true, Some(kind)) = (has_body, body_kind(&req)) {
        let limit = req
            .app_data::<web::Data<InputPolicy>>()
            .map(|p| p.json_limit_bytes)
            .unwrap_or_else(|| InputPolicy::default().json_limit_bytes);
        let too_large = || {
            ApiError::new(
                ErrorKind::PayloadTooLarge,
                format!("the body exceeds the limit of {limit} bytes"),
            )
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Ok(req.error_response(too_large()).map_into_right_body());
        }
        let mut payload = req.take_payload();
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > limit {
                return Ok(req.error_response(too_large()).map_into_right_body());
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        let errors = match kind {
            // A body that is no JSON is the extractor's to refuse (400) with its own message.
            BodyKind::Json => serde_json::from_slice::<serde_json::Value>(&body)
                .map(|document| check_json(&document))
                .unwrap_or_default(),
            BodyKind::Form => std::str::from_utf8(&body)
                .map(check_form)
                .unwrap_or_default(),
        };
        if !errors.is_empty() {
            return Ok(req
                .error_response(ApiError::validation(errors))
                .map_into_right_body());
        }
        req.set_payload(Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_refused_in_strings_and_keys_but_line_breaks_are_text() {
        let errors = check_json(&json!({
            "email": "a\u{0}@b.example",
            "note": "two\nlines\tand\r\n",
            "lines": [{ "text": "ok" }, { "text": "bell\u{7}" }],
            "del\u{7f}": 1,
            "c1": "\u{85}",
        }));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["c1", "del\\u{7f}", "email", "lines[1].text"],
            "{errors:?}"
        );
        assert!(errors[2].message.contains("U+0000"));
        assert!(check_json(&json!("x\u{0}")).len() == 1);
    }

    #[test]
    fn query_parameters_refuse_every_control_character() {
        let errors = check_query("q=a%00b&status=open&sort=%0Aname");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["q", "sort"]);
        assert!(check_query("q=plain+text&page=2&pageSize=100").is_empty());
        let errors = check_form("grant_type=client_credentials&client_id=a%00b");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "client_id");
    }

    #[test]
    fn paging_is_bounded_and_overflow_is_refused() {
        for bad in [
            "page=0",
            "page=-1",
            "page=9223372036854775807",
            "page=1000000000000000000",
            "page=99999999999999999999999999",
            "pageSize=0",
            "pageSize=101",
            "pageSize=-5",
        ] {
            let errors = check_query(bad);
            assert_eq!(errors.len(), 1, "{bad}");
            let field = bad.split('=').next().unwrap_or_default();
            assert_eq!(errors[0].field, field, "{bad}");
        }
        for fine in [
            "page=1",
            "page=1000000",
            "pageSize=1",
            "pageSize=100",
            "page=",
        ] {
            assert!(check_query(fine).is_empty(), "{fine}");
        }
        // No integer at all: the extractor's 400.
        assert!(check_query("page=abc").is_empty());
    }
}
