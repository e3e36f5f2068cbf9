//! The one API error type: RFC 9457 `application/problem+json`.
//!
//! What the client sees is chosen by [`ErrorKind`]; the cause (an `anyhow` chain) is logged with
//! the request id and never sent. Database constraint violations become 409.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

pub use crate::rules::ErrorCode;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Validation,
    TooManyRequests,
    BadGateway,
    ServiceUnavailable,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::BadGateway => StatusCode::BAD_GATEWAY,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, also the last segment of the problem `type`.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::BadRequest => ErrorCode::BadRequest,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Conflict => ErrorCode::Conflict,
            Self::PreconditionFailed => ErrorCode::PreconditionFailed,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::Validation => ErrorCode::ValidationFailed,
            Self::TooManyRequests => ErrorCode::TooManyRequests,
            Self::BadGateway => ErrorCode::BadGateway,
            Self::ServiceUnavailable => ErrorCode::ServiceUnavailable,
            Self::Internal => ErrorCode::InternalError,
        }
    }
}

/// A field-level validation message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document as sent to clients.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For illegal state transitions: the transitions allowed from the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// For duplicates: the id of the resource that already holds the unique value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
}

/// Problem members only some errors carry.
#[derive(Debug, Clone)]
struct Extras {
    allowed: Option<Vec<String>>,
    existing_id: Option<String>,
}

pub struct ApiError {
    kind: ErrorKind,
    code: Option<ErrorCode>,
    detail: Option<String>,
    errors: Vec<FieldError>,
    /// Rarely present, so boxed: keeps `Result<_, ApiError>` small.
    extras: Option<Box<Extras>>,
    retry_after_secs: Option<u64>,
    source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            detail: Some(detail.into()),
            errors: Vec::new(),
            extras: None,
            retry_after_secs: None,
            source: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, detail)
    }
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::PreconditionFailed, detail)
    }

    /// 422 with one message per offending field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut error = Self::new(ErrorKind::Validation, "the request has invalid fields");
        error.errors = errors;
        error
    }

    /// 422 for one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// 409 for a state machine refusing a transition; names the allowed ones.
    pub fn illegal_transition(from: &str, action: &str, allowed: Vec<String>) -> Self {
        let mut error = Self::conflict(format!("cannot {action} while {from}"));
        error.code = Some(ErrorCode::IllegalTransition);
        error.extras = Some(Box::new(Extras {
            allowed: Some(allowed),
            existing_id: None,
        }));
        error
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(ErrorKind::TooManyRequests, "too many requests; retry later");
        error.retry_after_secs = Some(retry_after_secs.max(1));
        error
    }

    /// An unexpected failure: logged with its cause chain, shown to the client as a bare 500.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: ErrorKind::Internal,
            code: None,
            detail: None,
            errors: Vec::new(),
            extras: None,
            retry_after_secs: None,
            source: Some(source.into()),
        }
    }

    /// Overrides the human-readable explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Overrides the machine-readable code (e.g. `duplicate_email`).
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = Some(code);
        self
    }

    /// 409 for a duplicate, naming the resource that already exists.
    pub fn duplicate(detail: impl Into<String>, existing_id: impl ToString) -> Self {
        let mut error = Self::conflict(detail);
        error.code = Some(ErrorCode::Duplicate);
        error.extras = Some(Box::new(Extras {
            allowed: None,
            existing_id: Some(existing_id.to_string()),
        }));
        error
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn problem(&self) -> Problem {
        let code = self.code.unwrap_or(self.kind.code());
        let status = self.kind.status();
        let context = crate::http::request_context();
        Problem {
            type_: format!(
                "https://evdms.dev/problems/{}",
                code.as_str().replace('_', "-")
            ),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            instance: context.as_ref().map(|c| c.path.clone()),
            code,
            errors: self.errors.clone(),
            request_id: context.map(|c| c.request_id),
            allowed: self.extras.as_ref().and_then(|e| e.allowed.clone()),
            existing_id: self.extras.as_ref().and_then(|e| e.existing_id.clone()),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.kind)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(source) = &self.source {
            // `{:?}` on anyhow prints the whole cause chain.
            write!(f, "\ncaused by: {source:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}: {detail}", self.kind.code().as_str()),
            None => write!(f, "{}", self.kind.code().as_str()),
        }
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.kind == ErrorKind::Internal {
            tracing::error!(error = ?self, "request failed");
        }
        let mut response = HttpResponse::build(self.kind.status());
        response.content_type(PROBLEM_JSON);
        if let Some(seconds) = self.retry_after_secs {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        response.json(self.problem())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        Self::internal(error)
    }
}

/// Constraint violations become 409 `duplicate` / 422 `reference`, as in [`DomainError`].
impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        crate::rules::DomainError::from(error).into()
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(error: sea_orm::TransactionError<ApiError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        Self::validation(crate::validation::field_errors(&errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = ApiError::internal(anyhow::anyhow!("password=hunter2 at db.example"));
        let body = serde_json::to_string(&error.problem()).unwrap();
        assert!(!body.contains("hunter2"));
        assert!(body.contains("\"status\":500"));
        assert!(
            format!("{error:?}").contains("hunter2"),
            "the log keeps the cause"
        );
    }

    #[test]
    fn illegal_transition_names_allowed_actions() {
        let problem =
            ApiError::illegal_transition("approved", "cancel", vec!["ship".into()]).problem();
        assert_eq!(problem.status, 409);
        assert_eq!(problem.code, "illegal_transition");
        assert_eq!(problem.allowed, Some(vec!["ship".to_owned()]));
    }
}
