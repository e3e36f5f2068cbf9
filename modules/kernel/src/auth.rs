//! Who is calling, and the access rule every route must declare.
//!
//! Verifying tokens is the auth module's business; it hands the kernel an [`Authenticator`] at
//! start-up (split services get one that verifies against the JWKS). Handlers receive the
//! verified [`Caller`] as an extractor.

use crate::error::ApiError;
use crate::rules::{DomainError, DomainResult};
use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use serde::{Deserialize, Serialize};
use std::{fmt, future::Ready, str::FromStr};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    EvmStaff,
    DealerManager,
    DealerStaff,
    /// A service client authenticated with the client-credentials grant.
    Service,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::EvmStaff,
        Role::DealerManager,
        Role::DealerStaff,
        Role::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::EvmStaff => "evm_staff",
            Self::DealerManager => "dealer_manager",
            Self::DealerStaff => "dealer_staff",
            Self::Service => "service",
        }
    }

    /// Dealer roles are confined to one dealer's data.
    pub fn is_dealer_role(self) -> bool {
        matches!(self, Self::DealerManager | Self::DealerStaff)
    }
}

/// The role sets access rules are written with, named once for every module.
pub mod roles {
    use super::Role;

    pub const ADMINS: &[Role] = &[Role::Admin];
    /// The manufacturer's people.
    pub const OEM: &[Role] = &[Role::Admin, Role::EvmStaff];
    /// Everyone who works in the product (not service clients).
    pub const PEOPLE: &[Role] = &[
        Role::Admin,
        Role::EvmStaff,
        Role::DealerManager,
        Role::DealerStaff,
    ];
    /// A dealer's people (and admins): who sells and serves customers.
    pub const DEALER_PEOPLE: &[Role] = &[Role::Admin, Role::DealerManager, Role::DealerStaff];
    /// Who manages a dealer (and admins).
    pub const DEALER_MANAGERS: &[Role] = &[Role::Admin, Role::DealerManager];
    /// The manufacturer's people and dealer managers.
    pub const OEM_AND_MANAGERS: &[Role] = &[Role::Admin, Role::EvmStaff, Role::DealerManager];
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}

/// The verified identity behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: Uuid,
    pub role: Role,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// The access token's `jti`, for logout.
    pub token_id: String,
    /// The session the token belongs to (absent for service clients).
    pub session_id: Option<Uuid>,
    pub expires_at: i64,
}

impl Caller {
    pub fn has_role(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Whether the caller may see data of `dealer_id`: OEM roles see every dealer, dealer
    /// roles only their own.
    pub fn can_access_dealer(&self, dealer_id: Uuid) -> bool {
        match self.role {
            Role::Admin | Role::EvmStaff => true,
            Role::DealerManager | Role::DealerStaff => self.dealer_id == Some(dealer_id),
            Role::Service => false,
        }
    }

    /// 404 (not 403) for another dealer's resource, so its existence is not revealed.
    pub fn ensure_dealer(&self, dealer_id: Uuid) -> DomainResult<()> {
        if self.can_access_dealer(dealer_id) {
            Ok(())
        } else {
            Err(DomainError::NotFound("resource"))
        }
    }

    /// 404 unless the caller may see a document of `dealer_id` owned by `staff_id`: dealer
    /// staff see only their own documents, managers and the OEM all of a dealer's.
    pub fn ensure_document_visible(&self, dealer_id: Uuid, staff_id: Uuid) -> DomainResult<()> {
        if self.can_see_document(dealer_id, staff_id) {
            Ok(())
        } else {
            Err(DomainError::NotFound("resource"))
        }
    }

    /// Whether the caller may see a document of `dealer_id` owned by `staff_id` (see
    /// [`Caller::ensure_document_visible`]).
    pub fn can_see_document(&self, dealer_id: Uuid, staff_id: Uuid) -> bool {
        self.can_access_dealer(dealer_id)
            && (self.role != Role::DealerStaff || staff_id == self.subject)
    }

    /// Whether the caller sees every document of a dealer (not only the ones they own).
    pub fn sees_all_of_dealer(&self) -> bool {
        self.has_role(&[Role::Admin, Role::EvmStaff, Role::DealerManager])
    }

    /// The dealer a request acts for: a dealer role's own (naming another is a 404), or the
    /// one an OEM role names.
    pub fn acting_dealer(&self, requested: Option<Uuid>) -> DomainResult<Uuid> {
        match (self.dealer_id, requested) {
            (Some(own), Some(other)) if own != other => Err(DomainError::NotFound("dealer")),
            (Some(own), _) => Ok(own),
            (None, Some(requested)) => Ok(requested),
            (None, None) => Err(DomainError::invalid("dealerId", "name the dealer")),
        }
    }

    pub fn ensure_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        if self.has_role(roles) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "the {} role may not do this",
                self.role
            )))
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(|| ApiError::unauthorized("authentication required")),
        )
    }
}

/// The access rule of one route. Every route declares one; there is no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed (login, JWKS, health).
    Public,
    /// Any valid token of a user (not a service client).
    Authenticated,
    /// A valid token whose role is one of these.
    Roles(&'static [Role]),
    /// A service client token carrying this scope (admins pass too).
    Scope(&'static str),
    /// The handler authenticates (e.g. a bearer token or a single-use ticket, for browsers'
    /// EventSource, which cannot send headers); the guard only learns the caller when a valid
    /// bearer token is offered. The text says how, for the route listing.
    CheckedByHandler(&'static str),
}

impl Access {
    /// Applies the rule to a verified caller.
    pub fn check(&self, caller: &Caller) -> Result<(), ApiError> {
        match self {
            Access::Public | Access::CheckedByHandler(_) => Ok(()),
            Access::Authenticated if caller.role != Role::Service => Ok(()),
            Access::Authenticated => Err(ApiError::forbidden(
                "service clients may not use this endpoint",
            )),
            Access::Roles(roles) => caller.ensure_role(roles),
            Access::Scope(scope) if caller.has_scope(scope) || caller.role == Role::Admin => Ok(()),
            Access::Scope(scope) => Err(ApiError::forbidden(format!(
                "the `{scope}` scope is required"
            ))),
        }
    }

    /// A short description for the route listing.
    pub fn describe(&self) -> String {
        match self {
            Access::Public => "public".to_owned(),
            Access::Authenticated => "authenticated".to_owned(),
            Access::Roles(roles) => roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            Access::Scope(scope) => format!("scope:{scope}"),
            Access::CheckedByHandler(how) => (*how).to_owned(),
        }
    }
}

/// Verifies bearer tokens. Provided by the auth module (or a JWKS verifier in split services).
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync {
    async fn authenticate(&self, bearer_token: &str) -> Result<Caller, ApiError>;
}

/// Reads `Authorization: Bearer <token>`.
pub fn bearer_token(req: &actix_web::dev::ServiceRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, dealer: Option<Uuid>) -> Caller {
        Caller {
            subject: Uuid::nil(),
            role,
            dealer_id: dealer,
            branch_id: None,
            email: "x@example.com".into(),
            name: "X".into(),
            scopes: vec![],
            token_id: "t".into(),
            session_id: None,
            expires_at: 0,
        }
    }

    #[test]
    fn dealer_roles_see_only_their_dealer() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert!(caller(Role::DealerManager, Some(a)).can_access_dealer(a));
        assert!(!caller(Role::DealerManager, Some(a)).can_access_dealer(b));
        assert!(!caller(Role::DealerStaff, None).can_access_dealer(b));
        assert!(caller(Role::EvmStaff, None).can_access_dealer(b));
        assert!(caller(Role::DealerStaff, Some(a)).ensure_dealer(b).is_err());
    }

    #[test]
    fn rules_apply_to_roles_and_scopes() {
        const MANAGERS: &[Role] = &[Role::Admin, Role::DealerManager];
        assert!(Access::Roles(MANAGERS)
            .check(&caller(Role::DealerManager, None))
            .is_ok());
        assert!(Access::Roles(MANAGERS)
            .check(&caller(Role::DealerStaff, None))
            .is_err());
        assert!(Access::Authenticated
            .check(&caller(Role::Service, None))
            .is_err());
        let mut service = caller(Role::Service, None);
        assert!(Access::Scope("events:read").check(&service).is_err());
        service.scopes.push("events:read".into());
        assert!(Access::Scope("events:read").check(&service).is_ok());
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
    }
}
