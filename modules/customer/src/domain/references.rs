//! Whether an id a write names may be used by the caller's dealer: a vehicle (VIN) for a test
//! drive, a person for an owner or an assignee. What the module knows of them comes from other
//! modules' events (see `store::dealer_vehicles`, `store::dealer_users`).

use uuid::Uuid;

kernel::text_enum! {
    /// Where a dealer's vehicle is, as far as test drives care.
    pub enum VehicleStatus {
        /// Allocated or shipped by the OEM, not yet received by the dealer.
        Allocated = "allocated",
        /// At the dealer (stock or demo fleet).
        OnSite = "on_site",
        /// Delivered to a customer: no longer the dealer's to lend.
        HandedOver = "handed_over",
    }
}

/// A dealer's vehicle as this module knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownVehicle {
    pub dealer_id: Uuid,
    /// Known for the demo fleet; vehicles from the OEM's events have none.
    pub branch_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub status: VehicleStatus,
}

/// Why a VIN cannot be booked at `branch_id` of `dealer_id` as `variant_id`, if it cannot. An
/// unknown VIN and another dealer's answer alike, so the other dealer's fleet is not revealed.
pub fn vehicle_refusal(
    vehicle: Option<&KnownVehicle>,
    dealer_id: Uuid,
    branch_id: Uuid,
    variant_id: Uuid,
) -> Option<&'static str> {
    let Some(vehicle) = vehicle.filter(|v| v.dealer_id == dealer_id) else {
        return Some("not a vehicle of this dealer");
    };
    match vehicle.status {
        VehicleStatus::Allocated => return Some("this vehicle has not arrived at the dealer yet"),
        VehicleStatus::HandedOver => return Some("this vehicle was delivered to a customer"),
        VehicleStatus::OnSite => {}
    }
    if vehicle.variant_id != variant_id {
        return Some("this vehicle is not of the variant booked");
    }
    if vehicle.branch_id.is_some_and(|b| b != branch_id) {
        return Some("this vehicle is at another branch");
    }
    None
}

/// A user as this module knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownUser {
    pub dealer_id: Option<Uuid>,
    pub role: String,
    pub active: bool,
}

/// Why a user cannot own or be given a record of `dealer_id`, if they cannot: unknown, of
/// another dealer (or of none), not a dealer role, or deactivated.
pub fn person_refusal(user: Option<&KnownUser>, dealer_id: Uuid) -> Option<&'static str> {
    let dealer_role = |u: &&KnownUser| {
        u.dealer_id == Some(dealer_id)
            && matches!(u.role.as_str(), "dealer_manager" | "dealer_staff")
    };
    match user.filter(dealer_role) {
        None => Some("not a user of this dealer"),
        Some(u) if !u.active => Some("this user is deactivated"),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car(
        dealer: Uuid,
        branch: Option<Uuid>,
        variant: Uuid,
        status: VehicleStatus,
    ) -> KnownVehicle {
        KnownVehicle {
            dealer_id: dealer,
            branch_id: branch,
            variant_id: variant,
            status,
        }
    }

    #[test]
    fn only_an_arrived_vehicle_of_the_dealer_variant_and_branch_is_bookable() {
        let (a, b, branch, variant) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let ok = car(a, Some(branch), variant, VehicleStatus::OnSite);
        assert_eq!(vehicle_refusal(Some(&ok), a, branch, variant), None);
        let anywhere = car(a, None, variant, VehicleStatus::OnSite);
        assert_eq!(vehicle_refusal(Some(&anywhere), a, branch, variant), None);
        assert!(vehicle_refusal(None, a, branch, variant).is_some());
        assert_eq!(
            vehicle_refusal(Some(&ok), b, branch, variant),
            vehicle_refusal(None, b, branch, variant),
            "another dealer's car reads as unknown"
        );
        assert!(vehicle_refusal(Some(&ok), a, Uuid::now_v7(), variant).is_some());
        assert!(vehicle_refusal(Some(&ok), a, branch, Uuid::now_v7()).is_some());
        for status in [VehicleStatus::Allocated, VehicleStatus::HandedOver] {
            let car = car(a, None, variant, status);
            assert!(vehicle_refusal(Some(&car), a, branch, variant).is_some());
        }
    }

    #[test]
    fn only_active_dealer_people_of_the_dealer_own_its_records() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let person = |dealer, role: &str, active| KnownUser {
            dealer_id: dealer,
            role: role.into(),
            active,
        };
        assert_eq!(
            person_refusal(Some(&person(Some(a), "dealer_staff", true)), a),
            None
        );
        assert_eq!(
            person_refusal(Some(&person(Some(a), "dealer_manager", true)), a),
            None
        );
        assert!(person_refusal(Some(&person(Some(b), "dealer_staff", true)), a).is_some());
        assert!(person_refusal(Some(&person(None, "admin", true)), a).is_some());
        assert!(person_refusal(Some(&person(Some(a), "dealer_staff", false)), a).is_some());
        assert!(person_refusal(None, a).is_some());
    }
}
