//! Time rules of delivery in the school's time zone: quiet hours (immediate mail waits for
//! their end) and the daily digest (due once a day at the chosen hour).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Quiet hours as minutes after local midnight; `from > to` spans midnight (22:00–07:00),
/// `from == to` is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quiet {
    pub from: u32,
    pub to: u32,
}

/// The instant `date` at `minutes` after midnight in `tz`; in a gap of a clock change the
/// first valid minute after it.
fn at(tz: Tz, date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or(NaiveTime::MIN);
    let mut local = date.and_time(time);
    for _ in 0..180 {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

impl Quiet {
    /// `None` when quiet hours are off; else the instant they end, if `now` is inside them.
    pub fn end_after(self, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.from == self.to {
            return None;
        }
        let local = now.with_timezone(&tz);
        let m = local.hour() * 60 + local.minute();
        let today = local.date_naive();
        if self.from < self.to {
            (self.from..self.to)
                .contains(&m)
                .then(|| at(tz, today, self.to))
        } else if m >= self.from {
            Some(at(tz, today + Duration::days(1), self.to))
        } else if m < self.to {
            Some(at(tz, today, self.to))
        } else {
            None
        }
    }
}

/// The first digest instant (the hour in `tz`) strictly after `t`.
pub fn next_digest(tz: Tz, hour: u32, t: DateTime<Utc>) -> DateTime<Utc> {
    let day = t.with_timezone(&tz).date_naive();
    let today = at(tz, day, hour * 60);
    if today > t {
        today
    } else {
        at(tz, day + Duration::days(1), hour * 60)
    }
}

/// `"22:00"` → minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.trim().len() <= 5).then_some(h * 60 + m)
}

/// Minutes after midnight → `"07:30"`.
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BERLIN: Tz = chrono_tz::Europe::Berlin;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_across_midnight_end_in_the_morning() {
        let q = Quiet {
            from: 22 * 60,
            to: 7 * 60,
        };
        // 23:30 in Berlin (winter, UTC+1) waits until 07:00 the next day.
        assert_eq!(
            q.end_after(BERLIN, utc("2026-12-04T22:30:00Z")),
            Some(utc("2026-12-05T06:00:00Z"))
        );
        // 05:00 waits until 07:00 the same day.
        assert_eq!(
            q.end_after(BERLIN, utc("2026-12-05T04:00:00Z")),
            Some(utc("2026-12-05T06:00:00Z"))
        );
        assert_eq!(q.end_after(BERLIN, utc("2026-12-05T09:00:00Z")), None);
        let day = Quiet {
            from: 13 * 60,
            to: 15 * 60,
        };
        assert_eq!(
            day.end_after(BERLIN, utc("2026-12-05T12:30:00Z")),
            Some(utc("2026-12-05T14:00:00Z"))
        );
        assert_eq!(
            Quiet { from: 60, to: 60 }.end_after(BERLIN, utc("2026-12-05T00:30:00Z")),
            None
        );
    }

    #[test]
    fn the_digest_is_due_once_a_day_at_its_hour() {
        assert_eq!(
            next_digest(BERLIN, 7, utc("2026-12-05T05:59:00Z")),
            utc("2026-12-05T06:00:00Z")
        );
        assert_eq!(
            next_digest(BERLIN, 7, utc("2026-12-05T06:00:00Z")),
            utc("2026-12-06T06:00:00Z")
        );
        // Summer time: 07:00 is 05:00 UTC.
        assert_eq!(
            next_digest(BERLIN, 7, utc("2026-07-01T10:00:00Z")),
            utc("2026-07-02T05:00:00Z")
        );
    }

    #[test]
    fn times_are_read_strictly() {
        assert_eq!(parse_hhmm("22:00"), Some(1320));
        assert_eq!(parse_hhmm("7:05"), Some(425));
        for bad in ["24:00", "12:60", "x", "", "12", "-1:00", "12:000"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert_eq!(hhmm(425), "07:05");
    }
}
