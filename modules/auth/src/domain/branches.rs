//! A user's branch: one of their dealer's branches, as far as the auth module knows them.

use kernel::{DomainError, DomainResult};
use uuid::Uuid;

/// `branch_id` (when set) must be a known branch (`branch_dealer`: its dealer, `None` when
/// unknown) of the user's dealer; otherwise 422 `branchId`, the same for an unknown branch and
/// another dealer's, so no other dealer's branches are revealed.
pub fn check_branch(
    dealer_id: Option<Uuid>,
    branch_id: Option<Uuid>,
    branch_dealer: Option<Uuid>,
) -> DomainResult<()> {
    match branch_id {
        None => Ok(()),
        Some(_) if branch_dealer.is_some() && branch_dealer == dealer_id => Ok(()),
        Some(_) => Err(DomainError::invalid(
            "branchId",
            "not a branch of the user's dealer",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_must_be_a_known_branch_of_the_users_dealer() {
        let (a, b, branch) = (Uuid::now_v7(), Uuid::now_v7(), Some(Uuid::now_v7()));
        assert!(check_branch(Some(a), None, None).is_ok());
        assert!(check_branch(Some(a), branch, Some(a)).is_ok());
        for (dealer, known) in [(Some(a), Some(b)), (Some(a), None), (None, None)] {
            let refused = check_branch(dealer, branch, known);
            assert!(
                matches!(&refused, Err(DomainError::Invalid(e)) if e[0].field == "branchId"),
                "{refused:?}"
            );
        }
    }
}
