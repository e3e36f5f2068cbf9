//! Who may create, see and manage which users (docs/domain.md, "Roles"), and parsed inputs.

use kernel::{ApiError, Caller, Role};
use uuid::Uuid;

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 320
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(email))
        } else {
            Err(ApiError::invalid_field(
                "email",
                "must be a valid email address",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The roles a user account can hold (service clients are not users).
pub fn parse_user_role(raw: &str) -> Result<Role, ApiError> {
    match raw.parse::<Role>() {
        Ok(Role::Service) | Err(_) => Err(ApiError::invalid_field(
            "role",
            "must be one of admin, evm_staff, dealer_manager, dealer_staff",
        )),
        Ok(role) => Ok(role),
    }
}

/// Dealer roles belong to a dealer; OEM roles to none.
pub fn check_dealer_assignment(
    role: Role,
    dealer_id: Option<Uuid>,
    branch_id: Option<Uuid>,
) -> Result<(), ApiError> {
    match (role.is_dealer_role(), dealer_id) {
        (true, None) => Err(ApiError::invalid_field(
            "dealerId",
            "is required for dealer roles",
        )),
        (false, Some(_)) => Err(ApiError::invalid_field(
            "dealerId",
            "only dealer roles belong to a dealer",
        )),
        _ if !role.is_dealer_role() && branch_id.is_some() => Err(ApiError::invalid_field(
            "branchId",
            "only dealer roles belong to a branch",
        )),
        _ => Ok(()),
    }
}

/// Decides whether `actor` may create a user with `role` for `dealer_id`, returning the dealer
/// the new user belongs to (a manager's own dealer when none is given).
pub fn authorize_creation(
    actor: &Caller,
    role: Role,
    dealer_id: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    let denied = |what: &str| {
        Err(ApiError::forbidden(format!(
            "the {} role may not create {what}",
            actor.role
        )))
    };
    match actor.role {
        Role::Admin => Ok(dealer_id),
        Role::EvmStaff if role == Role::EvmStaff => Ok(dealer_id),
        Role::EvmStaff => denied(role.as_str()),
        Role::DealerManager if role == Role::DealerStaff => {
            let own = actor.dealer_id;
            match dealer_id {
                None => Ok(own),
                Some(id) if Some(id) == own => Ok(own),
                Some(_) => denied("users of another dealer"),
            }
        }
        Role::DealerManager => denied(role.as_str()),
        Role::DealerStaff | Role::Service => denied("users"),
    }
}

/// The fields of a user that visibility and management rules need.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub id: Uuid,
    pub role: Role,
    pub dealer_id: Option<Uuid>,
}

/// Whether `actor` may read `target`.
pub fn can_view(actor: &Caller, target: Target) -> bool {
    match actor.role {
        Role::Admin | Role::EvmStaff => true,
        Role::DealerManager => {
            target.id == actor.subject
                || (target.dealer_id.is_some() && target.dealer_id == actor.dealer_id)
        }
        Role::DealerStaff => target.id == actor.subject,
        Role::Service => false,
    }
}

/// Whether `actor` may edit, deactivate or reactivate `target`.
pub fn can_manage(actor: &Caller, target: Target) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::EvmStaff => target.role == Role::EvmStaff,
        Role::DealerManager => {
            target.role == Role::DealerStaff && target.dealer_id == actor.dealer_id
        }
        Role::DealerStaff | Role::Service => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, dealer: Option<Uuid>) -> Caller {
        Caller {
            subject: Uuid::now_v7(),
            role,
            dealer_id: dealer,
            branch_id: None,
            email: String::new(),
            name: String::new(),
            scopes: Vec::new(),
            token_id: String::new(),
            session_id: None,
            expires_at: 0,
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Jane@Example.COM ").unwrap().as_str(),
            "jane@example.com"
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_dealer_manager_creates_staff_of_their_own_dealer_only() {
        let own = Uuid::now_v7();
        let manager = caller(Role::DealerManager, Some(own));
        assert_eq!(
            authorize_creation(&manager, Role::DealerStaff, None).unwrap(),
            Some(own)
        );
        assert_eq!(
            authorize_creation(&manager, Role::DealerStaff, Some(own)).unwrap(),
            Some(own)
        );
        assert!(authorize_creation(&manager, Role::DealerStaff, Some(Uuid::now_v7())).is_err());
        assert!(authorize_creation(&manager, Role::Admin, None).is_err());
        assert!(authorize_creation(&manager, Role::DealerManager, Some(own)).is_err());
    }

    #[test]
    fn evm_staff_create_evm_staff_and_dealer_staff_create_nobody() {
        let evm = caller(Role::EvmStaff, None);
        assert!(authorize_creation(&evm, Role::EvmStaff, None).is_ok());
        assert!(authorize_creation(&evm, Role::Admin, None).is_err());
        let staff = caller(Role::DealerStaff, Some(Uuid::now_v7()));
        assert!(authorize_creation(&staff, Role::DealerStaff, staff.dealer_id).is_err());
        assert!(authorize_creation(&caller(Role::Admin, None), Role::Admin, None).is_ok());
    }

    #[test]
    fn dealer_assignment_matches_the_role() {
        let dealer = Some(Uuid::now_v7());
        assert!(check_dealer_assignment(Role::DealerStaff, dealer, None).is_ok());
        assert!(check_dealer_assignment(Role::DealerStaff, None, None).is_err());
        assert!(check_dealer_assignment(Role::EvmStaff, dealer, None).is_err());
        assert!(check_dealer_assignment(Role::Admin, None, Some(Uuid::now_v7())).is_err());
        assert!(parse_user_role("service").is_err());
    }

    #[test]
    fn visibility_and_management_follow_the_tenant() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let manager = caller(Role::DealerManager, Some(a));
        let staff_a = Target {
            id: Uuid::now_v7(),
            role: Role::DealerStaff,
            dealer_id: Some(a),
        };
        let staff_b = Target {
            id: Uuid::now_v7(),
            role: Role::DealerStaff,
            dealer_id: Some(b),
        };
        assert!(can_view(&manager, staff_a) && can_manage(&manager, staff_a));
        assert!(!can_view(&manager, staff_b) && !can_manage(&manager, staff_b));
        let staff = caller(Role::DealerStaff, Some(a));
        assert!(!can_view(&staff, staff_a));
        assert!(can_view(
            &staff,
            Target {
                id: staff.subject,
                role: Role::DealerStaff,
                dealer_id: Some(a)
            }
        ));
    }
}
