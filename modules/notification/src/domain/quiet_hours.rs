//! SMS quiet hours: a daily window of local time (e.g. 21:00–08:00, crossing midnight) during
//! which no SMS goes out. A message due inside the window waits for its end — deferred, never
//! dropped. Local time is the recipient's dealer's zone, with its daylight-saving rules.

use chrono::{DateTime, Days, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A daily window `[start, end)` of local time; `start > end` means it crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietWindow {
    start: NaiveTime,
    end: NaiveTime,
}

impl QuietWindow {
    /// The window from `start` to `end`; `None` when they are equal (an empty window).
    pub fn new(start: NaiveTime, end: NaiveTime) -> Option<Self> {
        (start != end).then_some(Self { start, end })
    }

    /// When the window holding `now` (in `zone`) ends, or `None` if `now` is outside it.
    pub fn ends_after(&self, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&zone).naive_local();
        let (time, today) = (local.time(), local.date());
        let end_day = if self.start < self.end {
            (self.start <= time && time < self.end).then_some(today)?
        } else if time >= self.start {
            today.checked_add_days(Days::new(1))?
        } else if time < self.end {
            today
        } else {
            return None;
        };
        first_instant_at(zone, end_day.and_time(self.end), now)
    }
}

/// The first instant after `after` whose wall clock in `zone` reads `wall` — or, when the
/// clock skips that reading (spring forward), the moment it jumps past it.
fn first_instant_at(zone: Tz, wall: NaiveDateTime, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Gaps are at most a few hours; walk forward a minute at a time until the clock shows up.
    for minutes in 0..=(24 * 60) {
        let candidate = wall + Duration::minutes(minutes);
        let found = match zone.from_local_datetime(&candidate) {
            LocalResult::Single(t) => Some(t),
            // Fall back: the reading happens twice; the window ends at the first one still ahead.
            LocalResult::Ambiguous(first, second) => Some(if first.with_timezone(&Utc) > after {
                first
            } else {
                second
            }),
            LocalResult::None => None,
        };
        if let Some(instant) = found {
            let instant = instant.with_timezone(&Utc);
            return (instant > after).then_some(instant);
        }
    }
    None
}

/// When a message on a channel with quiet hours may go, given `now`: `now` itself, or the end
/// of the window `now` falls in.
pub fn not_before(window: Option<QuietWindow>, now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    window.and_then(|w| w.ends_after(now, zone)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Asia::Ho_Chi_Minh};

    fn hm(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn window(start: &str, end: &str) -> QuietWindow {
        QuietWindow::new(hm(start), hm(end)).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_window_crossing_midnight_holds_the_evening_and_the_early_morning() {
        let night = window("21:00", "08:00");
        // Ho Chi Minh City is UTC+7 all year.
        let evening = utc("2026-12-01T15:30:00Z"); // 22:30 local
        assert_eq!(
            night.ends_after(evening, Ho_Chi_Minh),
            Some(utc("2026-12-02T01:00:00Z")) // 08:00 local the next day
        );
        let early = utc("2026-12-01T20:00:00Z"); // 03:00 local on the 2nd
        assert_eq!(
            night.ends_after(early, Ho_Chi_Minh),
            Some(utc("2026-12-02T01:00:00Z"))
        );
        let noon = utc("2026-12-02T05:00:00Z");
        assert_eq!(night.ends_after(noon, Ho_Chi_Minh), None);
    }

    #[test]
    fn the_start_is_inside_and_the_end_is_outside() {
        let night = window("21:00", "08:00");
        assert_eq!(
            night.ends_after(utc("2026-12-01T14:00:00Z"), Ho_Chi_Minh), // 21:00 local
            Some(utc("2026-12-02T01:00:00Z"))
        );
        assert_eq!(
            night.ends_after(utc("2026-12-02T01:00:00Z"), Ho_Chi_Minh), // 08:00 local
            None
        );
        let lunch = window("12:00", "13:30");
        assert_eq!(
            lunch.ends_after(utc("2026-12-02T05:59:00Z"), Ho_Chi_Minh), // 12:59 local
            Some(utc("2026-12-02T06:30:00Z"))
        );
        assert_eq!(
            lunch.ends_after(utc("2026-12-02T04:59:00Z"), Ho_Chi_Minh),
            None
        );
    }

    #[test]
    fn the_end_follows_daylight_saving_time() {
        let night = window("21:00", "08:00");
        // New York springs forward on 8 March 2026: 22:00 EST (UTC−5) to 08:00 EDT (UTC−4).
        assert_eq!(
            night.ends_after(utc("2026-03-08T03:00:00Z"), New_York),
            Some(utc("2026-03-08T12:00:00Z"))
        );
        // … and falls back on 1 November 2026: 22:00 EDT to 08:00 EST.
        assert_eq!(
            night.ends_after(utc("2026-11-01T02:00:00Z"), New_York),
            Some(utc("2026-11-01T13:00:00Z"))
        );
    }

    #[test]
    fn an_end_the_clock_skips_is_the_moment_it_jumps() {
        // 02:30 does not exist in New York on 8 March 2026 (02:00 EST → 03:00 EDT).
        let night = window("22:00", "02:30");
        assert_eq!(
            night.ends_after(utc("2026-03-08T04:00:00Z"), New_York), // 23:00 EST
            Some(utc("2026-03-08T07:00:00Z"))                        // 03:00 EDT
        );
    }

    #[test]
    fn an_end_the_clock_shows_twice_is_the_next_one() {
        // 01:00–02:00 happens twice in New York on 1 November 2026.
        let late = window("00:00", "01:30");
        // 01:15 EDT, the first pass: the window ends at 01:30 EDT.
        assert_eq!(
            late.ends_after(utc("2026-11-01T05:15:00Z"), New_York),
            Some(utc("2026-11-01T05:30:00Z"))
        );
        // 01:15 EST, the second pass: 01:30 EDT has gone, it ends at 01:30 EST.
        assert_eq!(
            late.ends_after(utc("2026-11-01T06:15:00Z"), New_York),
            Some(utc("2026-11-01T06:30:00Z"))
        );
    }

    #[test]
    fn no_window_means_now() {
        let now = utc("2026-12-01T15:30:00Z");
        assert_eq!(QuietWindow::new(hm("21:00"), hm("21:00")), None);
        assert_eq!(not_before(None, now, Ho_Chi_Minh), now);
        assert_eq!(
            not_before(Some(window("21:00", "08:00")), now, Ho_Chi_Minh),
            utc("2026-12-02T01:00:00Z")
        );
    }
}
