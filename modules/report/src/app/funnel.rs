//! The lead funnel: how many leads reached each stage, stage-to-stage conversion, and how many
//! test-driving customers bought.

use crate::domain::funnel::{ratio, STAGES};
use crate::domain::period::Range;
use crate::store::{ReportStore, Scope};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStage {
    pub stage: String,
    /// Leads created in the range that reached this stage or a later one.
    pub reached: i64,
    /// Share of the previous stage's leads that got here.
    pub conversion: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestDriveFigures {
    pub scheduled: i64,
    pub completed: i64,
    /// Customers who completed a drive in the range.
    pub customers: i64,
    /// Of them, those who later bought from the same dealer.
    pub customers_who_bought: i64,
    pub conversion: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunnelReport {
    pub created: i64,
    pub won: i64,
    pub lost: i64,
    pub win_rate: f64,
    pub stages: Vec<FunnelStage>,
    pub test_drives: TestDriveFigures,
}

pub async fn funnel(
    store: &dyn ReportStore,
    scope: Scope,
    range: Range,
) -> anyhow::Result<FunnelReport> {
    let c = store.funnel(scope, range.from, range.to).await?;
    let stages = STAGES
        .iter()
        .enumerate()
        .map(|(i, stage)| FunnelStage {
            stage: (*stage).to_owned(),
            reached: c.reached[i],
            conversion: if i == 0 {
                ratio(c.reached[0], c.created)
            } else {
                ratio(c.reached[i], c.reached[i - 1])
            },
        })
        .collect();
    let won = c.reached[STAGES.len() - 1];
    Ok(FunnelReport {
        created: c.created,
        won,
        lost: c.lost,
        win_rate: ratio(won, c.created),
        stages,
        test_drives: TestDriveFigures {
            scheduled: c.test_drives_scheduled,
            completed: c.test_drives_completed,
            customers: c.test_drive_customers,
            customers_who_bought: c.test_drive_customers_who_bought,
            conversion: ratio(c.test_drive_customers_who_bought, c.test_drive_customers),
        },
    })
}
