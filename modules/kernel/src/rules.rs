//! What domain rules and application services fail with, without HTTP: [`DomainError`], and the
//! closed list of machine-readable [`ErrorCode`]s that clients (and the OpenAPI document) see.
//!
//! `domain/` and `app/` return `DomainError`; the HTTP edge turns it into an [`ApiError`]
//! (problem+json) in one place, so jobs and event handlers reuse the same rules.

use crate::error::{ApiError, FieldError};
use serde::Serialize;

/// Every `code` a problem document can carry. A closed enum so that clients can switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // One per HTTP error kind, used when nothing more precise applies.
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    TooManyRequests,
    BadGateway,
    ServiceUnavailable,
    InternalError,
    // State and concurrency.
    IllegalTransition,
    ConcurrentChange,
    StaleVersion,
    Duplicate,
    DuplicateEmail,
    DuplicateVin,
    // Idempotency-Key.
    IdempotencyKeyReused,
    IdempotencyInFlight,
    IdempotencyConflict,
    // Auth.
    InvalidCredentials,
    InvalidClient,
    InvalidScope,
    InvalidRefreshToken,
    UnsupportedGrantType,
    RateLimited,
    InvalidStreamTicket,
    TooManyStreams,
    // Business rules.
    AlreadyRated,
    ContractExists,
    CreditLimitExceeded,
    CustomerErased,
    DealerNotActive,
    InsufficientStock,
    NoContract,
    OutOfStock,
    Overpayment,
    OverlappingContract,
    PaymentsReceived,
    SlotTaken,
    VinUnavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition_failed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ValidationFailed => "validation_failed",
            Self::TooManyRequests => "too_many_requests",
            Self::BadGateway => "bad_gateway",
            Self::ServiceUnavailable => "service_unavailable",
            Self::InternalError => "internal_error",
            Self::IllegalTransition => "illegal_transition",
            Self::ConcurrentChange => "concurrent_change",
            Self::StaleVersion => "stale_version",
            Self::Duplicate => "duplicate",
            Self::DuplicateEmail => "duplicate_email",
            Self::DuplicateVin => "duplicate_vin",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyInFlight => "idempotency_in_flight",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidClient => "invalid_client",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::RateLimited => "rate_limited",
            Self::InvalidStreamTicket => "invalid_stream_ticket",
            Self::TooManyStreams => "too_many_streams",
            Self::AlreadyRated => "already_rated",
            Self::ContractExists => "contract_exists",
            Self::CreditLimitExceeded => "credit_limit_exceeded",
            Self::CustomerErased => "customer_erased",
            Self::DealerNotActive => "dealer_not_active",
            Self::InsufficientStock => "insufficient_stock",
            Self::NoContract => "no_contract",
            Self::OutOfStock => "out_of_stock",
            Self::Overpayment => "overpayment",
            Self::OverlappingContract => "overlapping_contract",
            Self::PaymentsReceived => "payments_received",
            Self::SlotTaken => "slot_taken",
            Self::VinUnavailable => "vin_unavailable",
        }
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A rule refused, or a row was missing or changed meanwhile. No status codes here: the edge
/// maps `NotFound` → 404, `Invalid` → 422, `Conflict`/`IllegalTransition` → 409,
/// `Forbidden` → 403, `Internal` → 500 (logged, hidden).
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The resource does not exist or is not visible to the caller (never revealed which).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// Input that breaks a rule, named by the (camelCase) request field.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// 409 `duplicate`, naming the resource that already holds the unique value.
    #[error("{detail} ({existing_id})")]
    Duplicate {
        detail: String,
        existing_id: uuid::Uuid,
    },
    #[error("cannot {action} while {from}")]
    IllegalTransition {
        from: String,
        action: String,
        allowed: Vec<String>,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// 422 for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// The row changed between being read and being written (another request won).
    pub fn changed_meanwhile(what: &str) -> Self {
        Self::conflict(
            ErrorCode::ConcurrentChange,
            format!("the {what} changed while this request ran; reload it"),
        )
    }

    pub fn illegal_transition(
        from: impl Into<String>,
        action: impl Into<String>,
        allowed: Vec<String>,
    ) -> Self {
        Self::IllegalTransition {
            from: from.into(),
            action: action.into(),
            allowed,
        }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(error: sea_orm::DbErr) -> Self {
        match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::conflict(
                ErrorCode::Duplicate,
                "a resource with the same unique value already exists",
            ),
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::invalid("reference", "refers to a resource that does not exist")
            }
            _ => Self::Internal(anyhow::Error::new(error)),
        }
    }
}

impl From<sea_orm::TransactionError<DomainError>> for DomainError {
    fn from(error: sea_orm::TransactionError<DomainError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            DomainError::Invalid(errors) => ApiError::validation(errors),
            DomainError::Conflict { code, detail } => ApiError::conflict(detail).with_code(code),
            DomainError::Duplicate {
                detail,
                existing_id,
            } => ApiError::duplicate(detail, existing_id),
            DomainError::IllegalTransition {
                from,
                action,
                allowed,
            } => ApiError::illegal_transition(&from, &action, allowed),
            DomainError::Forbidden(detail) => ApiError::forbidden(detail),
            DomainError::Internal(source) => ApiError::internal(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in [
            ErrorCode::IllegalTransition,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::ValidationFailed,
        ] {
            let wire = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(wire, code.as_str());
        }
    }

    #[test]
    fn domain_errors_map_to_their_status() {
        let cases = [
            (DomainError::NotFound("lead"), ErrorKind::NotFound),
            (DomainError::invalid("stage", "no"), ErrorKind::Validation),
            (DomainError::changed_meanwhile("lead"), ErrorKind::Conflict),
            (
                DomainError::illegal_transition("won", "move to new", vec![]),
                ErrorKind::Conflict,
            ),
            (DomainError::Forbidden("no".into()), ErrorKind::Forbidden),
            (
                DomainError::Internal(anyhow::anyhow!("boom")),
                ErrorKind::Internal,
            ),
        ];
        for (error, kind) in cases {
            assert_eq!(ApiError::from(error).kind(), kind);
        }
    }

    #[test]
    fn a_conflict_keeps_its_code() {
        let api = ApiError::from(DomainError::changed_meanwhile("lead"));
        assert_eq!(api.problem().code, "concurrent_change");
    }
}
