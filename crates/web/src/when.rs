//! Times as a school reads them: in the school's time zone (Europe/Berlin unless the admin
//! chose another), German or ISO formats by language, never with "UTC" in sight.
//!
//! Every page that shows or reads a date goes through [`Zone`], so a "valid until" date and
//! the time a page shows agree with the clock on the classroom wall.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use schulhof_domain::identity::Actor;
use schulhof_front::Lang;

use crate::i18n::Tr;

/// A school's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(pub chrono_tz::Tz);

impl Zone {
    /// The zone of the actor's school (loaded with the session, no extra query).
    pub fn of(actor: &Actor) -> Zone {
        Zone(actor.time_zone)
    }

    /// The default zone, for pages without a school (a visitor of a share link falls back to
    /// this only where the link's school is unknown).
    #[allow(dead_code)] // kept for pages without a session, and for tests
    pub fn berlin() -> Zone {
        Zone(chrono_tz::Europe::Berlin)
    }

    /// "03.12.2026, 14:05" in German, "2026-12-03 14:05" in English.
    pub fn datetime(&self, tr: Tr, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.0);
        match tr.0 {
            Lang::De => local.format("%d.%m.%Y, %H:%M").to_string(),
            Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// "03.12.2026" in German, "2026-12-03" in English: the school's calendar day of `t`.
    pub fn date(&self, tr: Tr, t: DateTime<Utc>) -> String {
        format_day(tr, t.with_timezone(&self.0).date_naive())
    }

    /// The school's calendar day at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// The first moment of day `d` in the zone (a day starting in a DST gap starts at the
    /// first moment that exists).
    pub fn start_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        self.first_at_or_after(d.and_time(NaiveTime::MIN))
    }

    /// The last moment (to the microsecond) of day `d` in the zone: just before the next
    /// day starts, so a day of 23 or 25 hours ends where the wall clock says.
    pub fn end_of_day(&self, d: NaiveDate) -> DateTime<Utc> {
        let next = d.checked_add_days(Days::new(1)).unwrap_or(d);
        self.start_of_day(next) - chrono::Duration::microseconds(1)
    }

    /// The UTC instant of a wall-clock time; in a DST gap the first moment after it, in a
    /// doubled hour the earlier one.
    fn first_at_or_after(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        // A gap is never longer than a few hours; step by 15 minutes to leave it.
        for _ in 0..16 {
            match self.0.from_local_datetime(&probe) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(a, _) => return a.with_timezone(&Utc),
                LocalResult::None => probe += chrono::Duration::minutes(15),
            }
        }
        Utc.from_utc_datetime(&local)
    }
}

/// A calendar day in the reader's format.
pub fn format_day(tr: Tr, d: NaiveDate) -> String {
    match tr.0 {
        Lang::De => d.format("%d.%m.%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
    }

    #[test]
    fn formats_in_berlin_time() {
        let z = Zone::berlin();
        let t = at("2026-12-03T13:05:00Z");
        assert_eq!(z.datetime(Tr::new(Lang::De), t), "03.12.2026, 14:05");
        assert_eq!(z.datetime(Tr::new(Lang::En), t), "2026-12-03 14:05");
        let summer = at("2026-07-01T22:30:00Z");
        assert_eq!(z.datetime(Tr::new(Lang::De), summer), "02.07.2026, 00:30");
        assert_eq!(z.date(Tr::new(Lang::De), summer), "02.07.2026");
        assert_eq!(z.today(summer), day(2026, 7, 2));
    }

    #[test]
    fn days_end_at_local_midnight_across_dst() {
        let z = Zone::berlin();
        assert_eq!(z.start_of_day(day(2026, 12, 3)), at("2026-12-02T23:00:00Z"));
        assert_eq!(
            z.end_of_day(day(2026, 12, 3)),
            at("2026-12-03T22:59:59.999999Z")
        );
        // Summer time: UTC+2.
        assert_eq!(
            z.end_of_day(day(2026, 7, 1)),
            at("2026-07-01T21:59:59.999999Z")
        );
        // The day clocks go forward (29 March 2026) ends in summer time.
        assert_eq!(
            z.end_of_day(day(2026, 3, 29)),
            at("2026-03-29T21:59:59.999999Z")
        );
        // The day clocks go back (25 October 2026) has 25 hours.
        let d = day(2026, 10, 25);
        assert_eq!(
            z.end_of_day(d) - z.start_of_day(d),
            chrono::Duration::hours(25) - chrono::Duration::microseconds(1)
        );
    }

    #[test]
    fn a_gap_at_midnight_starts_the_day_after_it() {
        // Santiago skips 00:00–01:00 when summer time begins (6 September 2026).
        let z = Zone(chrono_tz::America::Santiago);
        let start = z.start_of_day(day(2026, 9, 6));
        assert_eq!(
            start.with_timezone(&z.0).format("%H:%M").to_string(),
            "01:00"
        );
    }
}
