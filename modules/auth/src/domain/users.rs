//! Who may create, see and manage which users (docs/domain.md, "Roles"), and parsed inputs.

use kernel::{Caller, DomainError, DomainResult, ErrorCode, Role};
use uuid::Uuid;

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> DomainResult<Self> {
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
            Err(DomainError::invalid(
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
pub fn parse_user_role(raw: &str) -> DomainResult<Role> {
    match raw.parse::<Role>() {
        Ok(Role::Service) | Err(_) => Err(DomainError::invalid(
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
) -> DomainResult<()> {
    match (role.is_dealer_role(), dealer_id) {
        (true, None) => Err(DomainError::invalid(
            "dealerId",
            "is required for dealer roles",
        )),
        (false, Some(_)) => Err(DomainError::invalid(
            "dealerId",
            "only dealer roles belong to a dealer",
        )),
        _ if !role.is_dealer_role() && branch_id.is_some() => Err(DomainError::invalid(
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
) -> DomainResult<Option<Uuid>> {
    let denied = |what: &str| {
        Err(DomainError::Forbidden(format!(
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

/// The role stored for a user (an unknown value reads as the least privileged role).
pub fn role_of(stored: &str) -> Role {
    stored.parse().unwrap_or(Role::DealerStaff)
}

/// Whether `actor` may edit `target` at all.
pub fn authorize_edit(actor: &Caller, target: Target) -> DomainResult<()> {
    if can_manage(actor, target) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "you may not change this user".into(),
        ))
    }
}

/// A change of a user's role and dealer as asked for.
#[derive(Debug, Clone, Copy)]
pub struct Reassignment {
    pub role: Role,
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
}

/// Whether `actor` may change `target` as asked: managers of the user only, roles and dealers
/// by administrators only, and nobody changes their own role. `true` when the role or the
/// dealer changes (tokens carry both, so the user's sessions must end).
pub fn authorize_change(actor: &Caller, target: Target, to: Reassignment) -> DomainResult<bool> {
    authorize_edit(actor, target)?;
    let reassigned = to.role != target.role || to.dealer_id != target.dealer_id;
    if reassigned && actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only administrators change roles and dealers".into(),
        ));
    }
    if to.role != target.role && target.id == actor.subject {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            "you cannot change your own role",
        ));
    }
    check_dealer_assignment(to.role, to.dealer_id, to.branch_id)?;
    Ok(reassigned)
}

/// Whether `actor` may deactivate `target` (never themselves).
pub fn authorize_deactivation(actor: &Caller, target: Target) -> DomainResult<()> {
    if !can_manage(actor, target) {
        return Err(DomainError::Forbidden(
            "you may not deactivate this user".into(),
        ));
    }
    if target.id == actor.subject {
        return Err(DomainError::conflict(
            ErrorCode::Conflict,
            "you cannot deactivate yourself",
        ));
    }
    Ok(())
}

/// Whether `actor` may reactivate `target`.
pub fn authorize_reactivation(actor: &Caller, target: Target) -> DomainResult<()> {
    if can_manage(actor, target) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "you may not reactivate this user".into(),
        ))
    }
}

/// Why a sign-in failed, as the audit trail records it (the client always hears the same).
pub fn login_failure_reason(user_known: bool, active: bool, password_ok: bool) -> &'static str {
    match (user_known, active, password_ok) {
        (false, _, _) => "unknown email",
        (true, false, true) => "account deactivated",
        _ => "wrong password",
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

    #[test]
    fn only_admins_reassign_and_nobody_changes_their_own_role() {
        let dealer = Some(Uuid::now_v7());
        let admin = caller(Role::Admin, None);
        let staff = Target {
            id: Uuid::now_v7(),
            role: Role::DealerStaff,
            dealer_id: dealer,
        };
        let promote = Reassignment {
            role: Role::DealerManager,
            dealer_id: dealer,
            branch_id: None,
        };
        assert!(authorize_change(&admin, staff, promote).unwrap());
        let same = Reassignment {
            role: Role::DealerStaff,
            dealer_id: dealer,
            branch_id: None,
        };
        assert!(!authorize_change(&admin, staff, same).unwrap());
        let manager = caller(Role::DealerManager, dealer);
        assert!(!authorize_change(&manager, staff, same).unwrap());
        assert!(matches!(
            authorize_change(&manager, staff, promote),
            Err(DomainError::Forbidden(_))
        ));
        let me = Target {
            id: admin.subject,
            role: Role::Admin,
            dealer_id: None,
        };
        let demote = Reassignment {
            role: Role::EvmStaff,
            dealer_id: None,
            branch_id: None,
        };
        assert!(matches!(
            authorize_change(&admin, me, demote),
            Err(DomainError::Conflict { .. })
        ));
        let to_oem_with_dealer = Reassignment {
            role: Role::EvmStaff,
            dealer_id: dealer,
            branch_id: None,
        };
        assert!(matches!(
            authorize_change(&admin, staff, to_oem_with_dealer),
            Err(DomainError::Invalid(_))
        ));
    }

    #[test]
    fn nobody_deactivates_themselves_and_managers_only_their_staff() {
        let a = Some(Uuid::now_v7());
        let manager = caller(Role::DealerManager, a);
        let own_staff = Target {
            id: Uuid::now_v7(),
            role: Role::DealerStaff,
            dealer_id: a,
        };
        assert!(authorize_deactivation(&manager, own_staff).is_ok());
        assert!(authorize_reactivation(&manager, own_staff).is_ok());
        let other = Target {
            dealer_id: Some(Uuid::now_v7()),
            ..own_staff
        };
        assert!(authorize_deactivation(&manager, other).is_err());
        assert!(authorize_reactivation(&manager, other).is_err());
        let admin = caller(Role::Admin, None);
        let me = Target {
            id: admin.subject,
            role: Role::Admin,
            dealer_id: None,
        };
        assert!(matches!(
            authorize_deactivation(&admin, me),
            Err(DomainError::Conflict { .. })
        ));
    }

    #[test]
    fn login_failures_are_told_apart_only_in_the_audit() {
        assert_eq!(login_failure_reason(false, false, false), "unknown email");
        assert_eq!(
            login_failure_reason(true, false, true),
            "account deactivated"
        );
        assert_eq!(login_failure_reason(true, false, false), "wrong password");
        assert_eq!(login_failure_reason(true, true, false), "wrong password");
        assert_eq!(role_of("evm_staff"), Role::EvmStaff);
        assert_eq!(role_of("nonsense"), Role::DealerStaff);
    }
}
