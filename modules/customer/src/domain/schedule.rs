//! Test-drive time: half-hour slots inside a branch's opening hours.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Timelike,
    Utc,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Bookings start and end on a half hour; one slot row is held per half hour.
pub const SLOT_MINUTES: i64 = 30;
pub const MAX_DRIVE_MINUTES: i64 = 180;
/// How far ahead a drive can be booked.
pub const BOOKING_HORIZON_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayHours {
    #[schema(value_type = String, example = "08:00")]
    #[serde(with = "hh_mm")]
    pub opens: NaiveTime,
    #[schema(value_type = String, example = "18:00")]
    #[serde(with = "hh_mm")]
    pub closes: NaiveTime,
}

/// A branch's week, Monday first; `None` = closed that day. Times are local to the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeeklyHours {
    /// Minutes east of UTC (e.g. 420 for UTC+7).
    pub utc_offset_minutes: i32,
    pub days: [Option<DayHours>; 7],
}

impl Default for WeeklyHours {
    /// Until a branch sets its hours: Monday to Saturday, 08:00–18:00 UTC.
    fn default() -> Self {
        let day = DayHours {
            opens: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
        };
        Self {
            utc_offset_minutes: 0,
            days: [
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                None,
            ],
        }
    }
}

impl WeeklyHours {
    pub fn validate(&self) -> Result<(), String> {
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return Err("utcOffsetMinutes must be within ±840".into());
        }
        for (i, day) in self.days.iter().enumerate() {
            if let Some(d) = day {
                let aligned =
                    |t: NaiveTime| t.second() == 0 && i64::from(t.minute()) % SLOT_MINUTES == 0;
                if d.opens >= d.closes || !aligned(d.opens) || !aligned(d.closes) {
                    return Err(format!(
                        "day {i}: opening must precede closing, both on a half hour"
                    ));
                }
            }
        }
        Ok(())
    }

    fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_minutes * 60).unwrap_or(Utc.fix())
    }

    /// The opening interval of a local date, in UTC.
    pub fn open_interval(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let day = self.days[date.weekday().num_days_from_monday() as usize]?;
        let offset = self.offset();
        let opens = offset
            .from_local_datetime(&date.and_time(day.opens))
            .single()?;
        let closes = offset
            .from_local_datetime(&date.and_time(day.closes))
            .single()?;
        Some((opens.with_timezone(&Utc), closes.with_timezone(&Utc)))
    }

    /// Whether `[start, end)` lies inside one day's opening hours.
    pub fn is_open(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let local_date = start.with_timezone(&self.offset()).date_naive();
        self.open_interval(local_date)
            .is_some_and(|(opens, closes)| opens <= start && end <= closes)
    }
}

/// Why a requested drive time is refused.
pub fn check_booking(
    hours: &WeeklyHours,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    let aligned = |t: DateTime<Utc>| {
        t.second() == 0 && t.nanosecond() == 0 && i64::from(t.minute()) % SLOT_MINUTES == 0
    };
    if !aligned(start) || !aligned(end) {
        return Err("start and end must fall on a half hour");
    }
    let minutes = (end - start).num_minutes();
    if !(SLOT_MINUTES..=MAX_DRIVE_MINUTES).contains(&minutes) {
        return Err("a test drive lasts 30 minutes to 3 hours");
    }
    if start <= now {
        return Err("must be in the future");
    }
    if start > now + Duration::days(BOOKING_HORIZON_DAYS) {
        return Err("can be booked at most 90 days ahead");
    }
    if !hours.is_open(start, end) {
        return Err("the branch is closed then");
    }
    Ok(())
}

/// The half hours `[start, end)` occupies.
pub fn slots(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        out.push(at);
        at += Duration::minutes(SLOT_MINUTES);
    }
    out
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn bookings_fit_half_hours_inside_local_opening_hours() {
        // 08:00 local = 01:00 UTC
        let hours = WeeklyHours {
            utc_offset_minutes: 420,
            ..Default::default()
        };
        let now = at("2026-12-01T00:00:00Z"); // a Tuesday
        assert_eq!(
            check_booking(
                &hours,
                at("2026-12-01T01:00:00Z"),
                at("2026-12-01T02:00:00Z"),
                now
            ),
            Ok(())
        );
        assert!(check_booking(
            &hours,
            at("2026-12-01T00:30:00Z"),
            at("2026-12-01T01:30:00Z"),
            now
        )
        .is_err());
        assert!(check_booking(
            &hours,
            at("2026-12-01T10:30:00Z"),
            at("2026-12-01T11:30:00Z"),
            now
        )
        .is_err());
        assert!(check_booking(
            &hours,
            at("2026-12-01T01:10:00Z"),
            at("2026-12-01T02:00:00Z"),
            now
        )
        .is_err());
        assert!(check_booking(
            &hours,
            at("2026-12-01T01:00:00Z"),
            at("2026-12-01T05:00:00Z"),
            now
        )
        .is_err());
        // Sunday is closed by default.
        assert!(check_booking(
            &hours,
            at("2026-12-06T02:00:00Z"),
            at("2026-12-06T03:00:00Z"),
            now
        )
        .is_err());
        assert!(check_booking(
            &hours,
            at("2026-11-30T02:00:00Z"),
            at("2026-11-30T03:00:00Z"),
            now
        )
        .is_err());
    }

    #[test]
    fn a_drive_holds_one_slot_per_half_hour() {
        let held = slots(at("2026-12-01T01:00:00Z"), at("2026-12-01T02:30:00Z"));
        assert_eq!(held.len(), 3);
        assert_eq!(held[2], at("2026-12-01T02:00:00Z"));
    }

    #[test]
    fn hours_must_be_ordered_and_aligned() {
        let mut hours = WeeklyHours::default();
        assert!(hours.validate().is_ok());
        hours.days[0] = Some(DayHours {
            opens: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            closes: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        });
        assert!(hours.validate().is_err());
        let json = serde_json::to_value(WeeklyHours::default()).unwrap();
        assert_eq!(json["days"][0]["opens"], "08:00");
        assert!(json["days"][6].is_null());
    }
}
