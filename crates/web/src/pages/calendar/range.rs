//! What a calendar view shows, read from its query string: the kind of view (month, week,
//! day, list), the day it is about, and which calendars are ticked in the legend. Plain
//! query parameters, so every view, the arrows and the legend work without JavaScript.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::url;

/// How many days the list view covers.
pub const AGENDA_DAYS: u64 = 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Month,
    Week,
    Day,
    Agenda,
}

impl ViewKind {
    pub const ALL: [ViewKind; 4] = [
        ViewKind::Month,
        ViewKind::Week,
        ViewKind::Day,
        ViewKind::Agenda,
    ];

    /// The value of `ansicht=`; anything unknown is the month.
    pub fn parse(s: &str) -> ViewKind {
        match s {
            "woche" => ViewKind::Week,
            "tag" => ViewKind::Day,
            "liste" => ViewKind::Agenda,
            _ => ViewKind::Month,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            ViewKind::Month => "monat",
            ViewKind::Week => "woche",
            ViewKind::Day => "tag",
            ViewKind::Agenda => "liste",
        }
    }

    /// The last part of its text keys (`cal.view.month`, `cal.prev.month`).
    pub fn key(self) -> &'static str {
        match self {
            ViewKind::Month => "month",
            ViewKind::Week => "week",
            ViewKind::Day => "day",
            ViewKind::Agenda => "agenda",
        }
    }
}

/// One request for a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewQuery {
    pub kind: ViewKind,
    pub day: NaiveDate,
    /// The ticked calendars (their ids as sent); `None` when the legend was not sent, which
    /// shows every calendar.
    pub shown: Option<Vec<String>>,
}

impl ViewQuery {
    /// Reads `ansicht`, `datum` (ISO date; today when absent or unreadable), and the legend:
    /// `auswahl=1` marks that it was sent, each ticked calendar comes as `k=<id>`.
    pub fn parse(query: Option<&str>, today: NaiveDate) -> ViewQuery {
        let kind = ViewKind::parse(&url::query_param(query, "ansicht").unwrap_or_default());
        let day = url::query_param(query, "datum")
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .unwrap_or(today);
        let shown = url::query_param(query, "auswahl").map(|_| url::all_values(query, "k"));
        ViewQuery { kind, day, shown }
    }

    /// Whether the calendar with this id is ticked.
    pub fn shows(&self, id: &str) -> bool {
        self.shown
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == id))
    }

    /// The link to `kind` on `day`, keeping the legend's choice.
    pub fn href(&self, kind: ViewKind, day: NaiveDate) -> String {
        let mut h = format!(
            "/kalender?ansicht={}&datum={}",
            kind.slug(),
            day.format("%Y-%m-%d")
        );
        if let Some(shown) = &self.shown {
            h.push_str("&auswahl=1");
            for id in shown {
                h.push_str("&k=");
                h.push_str(&url::encode(id));
            }
        }
        h
    }

    /// The first and the last day the view shows (both inclusive). A month shows whole
    /// weeks, Monday to Sunday, around it.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let d = self.day;
        match self.kind {
            ViewKind::Month => {
                let first = d.with_day(1).unwrap_or(d);
                let last = first
                    .checked_add_months(Months::new(1))
                    .and_then(|n| n.pred_opt())
                    .unwrap_or(first);
                (monday_of(first), sunday_of(last))
            }
            ViewKind::Week => (monday_of(d), sunday_of(d)),
            ViewKind::Day => (d, d),
            ViewKind::Agenda => (d, add_days(d, AGENDA_DAYS - 1)),
        }
    }

    /// The days the arrows lead to: the view before and after this one.
    pub fn prev_next(&self) -> (NaiveDate, NaiveDate) {
        let d = self.day;
        match self.kind {
            ViewKind::Month => {
                let first = d.with_day(1).unwrap_or(d);
                (
                    first.checked_sub_months(Months::new(1)).unwrap_or(first),
                    first.checked_add_months(Months::new(1)).unwrap_or(first),
                )
            }
            ViewKind::Week => (sub_days(d, 7), add_days(d, 7)),
            ViewKind::Day => (sub_days(d, 1), add_days(d, 1)),
            ViewKind::Agenda => (sub_days(d, AGENDA_DAYS), add_days(d, AGENDA_DAYS)),
        }
    }
}

pub fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

pub fn sub_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

pub fn monday_of(d: NaiveDate) -> NaiveDate {
    sub_days(d, u64::from(d.weekday().num_days_from_monday()))
}

fn sunday_of(d: NaiveDate) -> NaiveDate {
    add_days(monday_of(d), 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
    }

    #[test]
    fn defaults_to_this_month_with_every_calendar() {
        let q = ViewQuery::parse(None, day(2026, 12, 3));
        assert_eq!(q.kind, ViewKind::Month);
        assert_eq!(q.day, day(2026, 12, 3));
        assert!(q.shows("anything"));
        // December 2026 starts on a Tuesday and ends on a Thursday: whole weeks around it.
        assert_eq!(q.days(), (day(2026, 11, 30), day(2027, 1, 3)));
        assert_eq!(q.prev_next(), (day(2026, 11, 1), day(2027, 1, 1)));
    }

    #[test]
    fn reads_view_day_and_legend() {
        let q = ViewQuery::parse(
            Some("ansicht=woche&datum=2026-03-29&auswahl=1&k=a&k=b%20c"),
            day(2026, 12, 3),
        );
        assert_eq!(q.kind, ViewKind::Week);
        assert_eq!(q.days(), (day(2026, 3, 23), day(2026, 3, 29)));
        assert!(q.shows("a") && q.shows("b c") && !q.shows("d"));
        assert_eq!(
            q.href(ViewKind::Day, day(2026, 3, 30)),
            "/kalender?ansicht=tag&datum=2026-03-30&auswahl=1&k=a&k=b%20c"
        );
        // The legend sent with nothing ticked shows nothing.
        let none = ViewQuery::parse(Some("auswahl=1"), day(2026, 12, 3));
        assert!(!none.shows("a"));
    }

    #[test]
    fn unreadable_input_falls_back() {
        let q = ViewQuery::parse(Some("ansicht=jahr&datum=2026-02-30"), day(2026, 12, 3));
        assert_eq!(q.kind, ViewKind::Month);
        assert_eq!(q.day, day(2026, 12, 3));
        let list = ViewQuery::parse(Some("ansicht=liste&datum=2026-01-31"), day(2026, 1, 1));
        assert_eq!(list.days(), (day(2026, 1, 31), day(2026, 3, 2)));
        let d = ViewQuery::parse(Some("ansicht=tag&datum=2026-01-01"), day(2026, 1, 1));
        assert_eq!(d.prev_next(), (day(2025, 12, 31), day(2026, 1, 2)));
    }
}
