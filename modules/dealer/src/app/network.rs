//! A dealer's branches, staff and monthly sales targets.

use super::{dealers::visible, Services};
use crate::domain::dealers::check_target_period;
use crate::store::{branches, sales_targets, staff};
use contracts::{
    events::dealer::{BranchOpened, SalesTargetSet},
    Money,
};
use kernel::{
    pagination::{ListParams, Page},
    Caller, DomainError, DomainResult,
};
use sea_orm::{ActiveModelTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub async fn branches(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
) -> DomainResult<Vec<branches::Model>> {
    let db = services.db.conn();
    let dealer = visible(db, caller, dealer_id).await?;
    branches::of_dealer(db, dealer.id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewBranch {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    #[validate(length(min = 1, max = 80))]
    pub city: String,
    #[validate(length(min = 1, max = 240))]
    pub address: String,
}

/// Opens a branch and announces it (the customer module books test drives there).
pub async fn open_branch(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
    input: NewBranch,
) -> DomainResult<branches::Model> {
    let dealer = visible(services.db.conn(), caller, dealer_id).await?;
    let mut txn = services.db.begin().await?;
    let branch = branches::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer.id),
        name: Set(input.name.trim().to_owned()),
        city: Set(input.city.trim().to_owned()),
        address: Set(input.address.trim().to_owned()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await?;
    let opened = BranchOpened {
        branch_id: branch.id,
        dealer_id: branch.dealer_id,
        name: branch.name.clone(),
        city: branch.city.clone(),
    };
    kernel::events::publish(&mut txn, &opened).await?;
    txn.commit().await?;
    Ok(branch)
}

/// The dealer's staff (kept in step with user accounts).
pub async fn staff(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
    params: &ListParams,
) -> DomainResult<Page<staff::Model>> {
    let db = services.db.conn();
    let dealer = visible(db, caller, dealer_id).await?;
    staff::list(db, dealer.id, params).await
}

pub async fn targets(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
) -> DomainResult<Vec<sales_targets::Model>> {
    let db = services.db.conn();
    let dealer = visible(db, caller, dealer_id).await?;
    sales_targets::of_dealer(db, dealer.id).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// `YYYY-MM`
    #[validate(length(equal = 7))]
    pub period: String,
    #[validate(range(min = 0, max = 100000))]
    pub target_units: i32,
    /// Minor units.
    #[validate(range(min = 0))]
    pub target_revenue: i64,
}

/// Sets the target of one month (OEM staff), replacing an earlier one, and announces it.
pub async fn set_target(
    services: &Services,
    caller: &Caller,
    dealer_id: Uuid,
    input: Target,
) -> DomainResult<sales_targets::Model> {
    check_target_period(&input.period)?;
    let dealer = visible(services.db.conn(), caller, dealer_id).await?;
    let mut txn = services.db.begin().await?;
    let target = sales_targets::Model {
        id: Uuid::now_v7(),
        dealer_id: dealer.id,
        period: input.period,
        target_units: input.target_units,
        target_revenue: input.target_revenue,
    };
    sales_targets::set(&*txn, target.clone()).await?;
    let announced = SalesTargetSet {
        dealer_id: dealer.id,
        period: target.period.clone(),
        target_units: target.target_units,
        target_revenue: Money(target.target_revenue),
    };
    kernel::events::publish(&mut txn, &announced).await?;
    let stored = sales_targets::of_period(&*txn, dealer.id, &target.period)
        .await?
        .ok_or(DomainError::NotFound("sales target"))?;
    txn.commit().await?;
    Ok(stored)
}
