//! The query parameters reports share, checked into typed values (422 naming the field).

use crate::domain::period::{Interval, Range};
use chrono::{Days, NaiveDate};
use kernel::ApiError;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    pub to: Option<String>,
    /// `day`, `week` or `month`.
    pub interval: Option<String>,
    /// `dealer`, `region`, `branch`, `salesperson`, `variant` or `model`.
    pub group_by: Option<String>,
    /// OEM and admins: one dealer. Dealer roles: only their own.
    pub dealer_id: Option<String>,
    /// One salesperson (dealer staff: only themselves).
    pub staff_id: Option<String>,
    pub region: Option<String>,
    pub branch_id: Option<String>,
    pub variant_id: Option<String>,
    pub model_id: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

pub fn uuid_field(field: &str, value: &Option<String>) -> Result<Option<Uuid>, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_field(field, "must be a UUID"))
        })
        .transpose()
}

fn date_field(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_field(field, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl ReportParams {
    /// The range asked for; missing ends default to the last `default_days` days.
    pub fn range(&self, today: NaiveDate, default_days: u64) -> Result<Range, ApiError> {
        let to = date_field("to", &self.to)?.unwrap_or(today);
        let from = match date_field("from", &self.from)? {
            Some(from) => from,
            None => to
                .checked_sub_days(Days::new(default_days.saturating_sub(1)))
                .unwrap_or(to),
        };
        Range::new(from, to).map_err(|message| ApiError::invalid_field("to", message))
    }

    pub fn interval(&self, default: Interval) -> Result<Interval, ApiError> {
        match self.interval.as_deref() {
            None | Some("") => Ok(default),
            Some(s) => Interval::parse(s)
                .ok_or_else(|| ApiError::invalid_field("interval", "must be day, week or month")),
        }
    }

    pub fn dealer_id(&self) -> Result<Option<Uuid>, ApiError> {
        uuid_field("dealerId", &self.dealer_id)
    }

    pub fn staff_id(&self) -> Result<Option<Uuid>, ApiError> {
        uuid_field("staffId", &self.staff_id)
    }
}
