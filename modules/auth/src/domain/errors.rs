//! What the auth use cases fail with: the kernel's [`DomainError`] for the rules every module
//! shares, plus the answers only sign-in has (401 with a precise code, 400 for a malformed
//! grant, 412 for a stale `If-Match`, 429 while throttled). The HTTP edge maps it in one place.

use kernel::{DomainError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// Bad or missing credentials (401).
    #[error("{detail}")]
    Unauthorized { code: ErrorCode, detail: String },
    /// A request the protocol does not accept (400), e.g. an unsupported grant.
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    /// The version named by `If-Match` is not the current one (412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// Too many failed sign-ins: retry after this many seconds (429).
    #[error("too many attempts; retry in {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
}

pub type AuthResult<T> = Result<T, AuthError>;

impl AuthError {
    pub fn unauthorized(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    /// The same answer for a wrong password, an unknown email and a deactivated account.
    pub fn invalid_credentials() -> Self {
        Self::unauthorized(ErrorCode::InvalidCredentials, "invalid email or password")
    }

    /// Unknown, expired, revoked or reused refresh token.
    pub fn invalid_refresh_token() -> Self {
        Self::unauthorized(ErrorCode::InvalidRefreshToken, "invalid refresh token")
    }

    pub fn invalid_client() -> Self {
        Self::unauthorized(ErrorCode::InvalidClient, "invalid client credentials")
    }

    /// The machine-readable code the client sees.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Unauthorized { code, .. } | Self::BadRequest { code, .. } => Some(*code),
            Self::Rule(DomainError::Conflict { code, .. }) => Some(*code),
            _ => None,
        }
    }
}

impl From<sea_orm::DbErr> for AuthError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Rule(error.into())
    }
}

impl From<anyhow::Error> for AuthError {
    fn from(error: anyhow::Error) -> Self {
        Self::Rule(DomainError::Internal(error))
    }
}

/// The version an optimistic update must match, and where the client named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// From an `If-Match` header: a stale one is 412.
    IfMatch(i32),
    /// From the body's `version`: a stale one is 409 `stale_version`.
    Body(i32),
}

impl ExpectedVersion {
    pub fn version(self) -> i32 {
        match self {
            Self::IfMatch(v) | Self::Body(v) => v,
        }
    }

    /// The answer when the row is no longer at this version.
    pub fn stale(self) -> AuthError {
        match self {
            Self::IfMatch(_) => {
                AuthError::PreconditionFailed("the resource changed since it was read".into())
            }
            Self::Body(_) => AuthError::Rule(DomainError::conflict(
                ErrorCode::StaleVersion,
                "the resource changed since it was read (stale version)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_if_match_is_a_failed_precondition_and_a_stale_body_a_conflict() {
        assert!(matches!(
            ExpectedVersion::IfMatch(3).stale(),
            AuthError::PreconditionFailed(_)
        ));
        assert_eq!(
            ExpectedVersion::Body(3).stale().code(),
            Some(ErrorCode::StaleVersion)
        );
        assert_eq!(ExpectedVersion::Body(4).version(), 4);
    }

    #[test]
    fn sign_in_failures_carry_their_codes() {
        assert_eq!(
            AuthError::invalid_credentials().code(),
            Some(ErrorCode::InvalidCredentials)
        );
        assert_eq!(
            AuthError::invalid_refresh_token().code(),
            Some(ErrorCode::InvalidRefreshToken)
        );
        assert_eq!(
            AuthError::invalid_client().code(),
            Some(ErrorCode::InvalidClient)
        );
    }
}
