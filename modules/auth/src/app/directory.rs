//! What the auth module learns from other modules' events: the dealers' branches, so that a
//! user's branch is checked against their dealer without asking the dealer module.

use crate::{domain::branches::check_branch, store::known_branches};
use kernel::DomainResult;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A branch was opened (`dealer.branch_opened.v1`; the seed tells of the demo branches too).
pub async fn branch_opened(
    db: &impl ConnectionTrait,
    branch_id: Uuid,
    dealer_id: Uuid,
) -> DomainResult<()> {
    known_branches::know(db, branch_id, dealer_id).await
}

/// 422 `branchId` unless `branch_id` (when set) is a known branch of `dealer_id`. Call in the
/// transaction that writes the user.
pub async fn check_user_branch(
    db: &impl ConnectionTrait,
    dealer_id: Option<Uuid>,
    branch_id: Option<Uuid>,
) -> DomainResult<()> {
    let branch_dealer = match branch_id {
        Some(id) => known_branches::dealer_of(db, id).await?,
        None => None,
    };
    check_branch(dealer_id, branch_id, branch_dealer)
}
