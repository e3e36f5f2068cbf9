//! Whose figures a caller sees (docs/domain.md, "Roles"): the OEM and admins the network, a dealer
//! manager their dealer (staff performance included), dealer staff their own sales. A filter
//! that reaches outside that is a 404, as for any other dealer's resource.

use crate::store::Scope;
use kernel::{ApiError, Caller, Role};
use uuid::Uuid;

/// The scope of a report for `caller`, narrowed by the `dealerId` / `staffId` filters asked for.
pub fn scope_of(
    caller: &Caller,
    dealer_id: Option<Uuid>,
    staff_id: Option<Uuid>,
) -> Result<Scope, ApiError> {
    match caller.role {
        Role::Admin | Role::EvmStaff => Ok(Scope {
            dealer_id,
            staff_id,
        }),
        Role::DealerManager => Ok(Scope {
            dealer_id: Some(caller.acting_dealer(dealer_id)?),
            staff_id,
        }),
        Role::DealerStaff => {
            if staff_id.is_some_and(|s| s != caller.subject) {
                return Err(ApiError::not_found("no such salesperson"));
            }
            Ok(Scope {
                dealer_id: Some(caller.acting_dealer(dealer_id)?),
                staff_id: Some(caller.subject),
            })
        }
        Role::Service => Err(ApiError::forbidden("reports are for people")),
    }
}

/// The dealer scope of a dealer-level report (debts, targets): staff have none.
pub fn dealer_scope(caller: &Caller, dealer_id: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    match caller.role {
        Role::Admin | Role::EvmStaff => Ok(dealer_id),
        Role::DealerManager => Ok(Some(caller.acting_dealer(dealer_id)?)),
        Role::DealerStaff | Role::Service => Err(ApiError::forbidden(
            "dealer-level figures are for managers and the OEM",
        )),
    }
}

pub fn is_oem(caller: &Caller) -> bool {
    caller.has_role(&[Role::Admin, Role::EvmStaff])
}
