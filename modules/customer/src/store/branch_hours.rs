//! `customer.branch_hours`: the dealer branches this module knows (from
//! `dealer.branch_opened.v1`) and their opening hours for test drives.

use crate::domain::schedule::WeeklyHours;
use anyhow::Context;
use kernel::DomainResult;
use sea_orm::{entity::prelude::*, sea_query::OnConflict, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "customer", table_name = "branch_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
    pub utc_offset_minutes: i32,
    /// `domain::schedule::WeeklyHours`
    pub weekly: Json,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A branch and its hours.
#[derive(Debug, Clone)]
pub struct Branch {
    pub branch_id: Uuid,
    pub dealer_id: Uuid,
    pub hours: WeeklyHours,
}

/// The branch, if known. Stored hours that do not decode are an error, never a default.
pub async fn find(db: &impl ConnectionTrait, branch_id: Uuid) -> DomainResult<Option<Branch>> {
    let Some(row) = Entity::find_by_id(branch_id).one(db).await? else {
        return Ok(None);
    };
    let hours = serde_json::from_value(row.weekly)
        .with_context(|| format!("branch {branch_id} has unreadable opening hours"))?;
    Ok(Some(Branch {
        branch_id: row.branch_id,
        dealer_id: row.dealer_id,
        hours,
    }))
}

/// Learns of a branch (first time only: hours a manager set are kept).
pub async fn know(
    db: &impl ConnectionTrait,
    branch_id: Uuid,
    dealer_id: Uuid,
    hours: &WeeklyHours,
) -> DomainResult<()> {
    Entity::insert(row(branch_id, dealer_id, hours)?)
        .on_conflict(OnConflict::column(Column::BranchId).do_nothing().to_owned())
        .do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_hours(db: &impl ConnectionTrait, branch: &Branch) -> DomainResult<()> {
    row(branch.branch_id, branch.dealer_id, &branch.hours)?
        .update(db)
        .await?;
    Ok(())
}

fn row(branch_id: Uuid, dealer_id: Uuid, hours: &WeeklyHours) -> DomainResult<ActiveModel> {
    Ok(ActiveModel {
        branch_id: Set(branch_id),
        dealer_id: Set(dealer_id),
        utc_offset_minutes: Set(hours.utc_offset_minutes),
        weekly: Set(serde_json::to_value(hours).context("opening hours as JSON")?),
        updated_at: Set(chrono::Utc::now()),
    })
}
