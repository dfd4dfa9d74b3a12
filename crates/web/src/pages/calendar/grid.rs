//! Laying occurrences out on days: the month grid (weeks of seven days), the seven days of a
//! week, one day, and the list. Every day knows its events in order, all-day ones first,
//! each with a text that says everything a sighted reader gets from colour and position.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::range::add_days;
use crate::i18n::Tr;
use crate::when::Zone;

/// One occurrence as the views need it (made from the domain's instances).
#[derive(Clone, Debug)]
pub struct Entry {
    pub href: String,
    pub title: String,
    pub place: String,
    pub calendar: String,
    pub colour: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub recurring: bool,
}

impl Entry {
    /// The days it covers in the school's zone, first and last inclusive. An all-day event's
    /// dates are read around noon, so they hold whether its midnight was stored in UTC or in
    /// the school's zone; its end is exclusive.
    fn days(&self, zone: Zone) -> (NaiveDate, NaiveDate) {
        if self.all_day {
            let first = (self.start + Duration::hours(12)).date_naive();
            let last = (self.end - Duration::hours(12)).date_naive();
            return (first, last.max(first));
        }
        let first = zone.today(self.start);
        let end = if self.end > self.start {
            self.end - Duration::microseconds(1)
        } else {
            self.start
        };
        (first, zone.today(end).max(first))
    }
}

/// An event on one day.
#[derive(Clone, Debug)]
pub struct DayItem {
    pub href: String,
    pub title: String,
    pub colour: String,
    /// "14:05–15:00", "ab 14:05", "ganztägig".
    pub time: String,
    /// The full text for the link: title, time, place, calendar, series.
    pub label: String,
    /// The place, shown after the title (empty when none).
    pub place: String,
    pub all_day: bool,
}

#[derive(Clone, Debug)]
pub struct DayCell {
    pub date: NaiveDate,
    pub iso: String,
    /// The day of the month.
    pub number: u32,
    /// "Donnerstag, 3. Dezember 2026".
    pub long: String,
    pub in_month: bool,
    pub today: bool,
    pub items: Vec<DayItem>,
    /// The link to the day view (set by the page, which knows the query).
    pub href: String,
}

impl DayCell {
    pub fn weekend(&self) -> bool {
        self.date.weekday().number_from_monday() >= 6
    }
}

/// A row of the month grid.
#[derive(Clone, Debug)]
pub struct WeekRow {
    /// "KW 49".
    pub label: String,
    pub days: Vec<DayCell>,
}

/// "Donnerstag, 3. Dezember 2026" / "Thursday, 3 December 2026".
pub fn long_day(tr: Tr, d: NaiveDate) -> String {
    tr.t("cal.long_day")
        .replace(
            "{wd}",
            tr.t(&format!("cal.wd.{}", d.weekday().number_from_monday())),
        )
        .replace("{d}", &d.day().to_string())
        .replace("{month}", tr.t(&format!("cal.month.{}", d.month())))
        .replace("{y}", &d.year().to_string())
}

/// "Dezember 2026".
pub fn month_title(tr: Tr, d: NaiveDate) -> String {
    tr.t("cal.month_title")
        .replace("{month}", tr.t(&format!("cal.month.{}", d.month())))
        .replace("{y}", &d.year().to_string())
}

/// The days `first..=last`, each with the entries on it, in order.
pub fn lay_out(
    tr: Tr,
    zone: Zone,
    entries: &[Entry],
    (first, last): (NaiveDate, NaiveDate),
    month: Option<u32>,
    today: NaiveDate,
) -> Vec<DayCell> {
    let mut cells: Vec<DayCell> = Vec::new();
    let mut d = first;
    while d <= last {
        cells.push(DayCell {
            date: d,
            iso: d.format("%Y-%m-%d").to_string(),
            number: d.day(),
            long: long_day(tr, d),
            in_month: month.is_none_or(|m| d.month() == m),
            today: d == today,
            items: Vec::new(),
            href: String::new(),
        });
        d = add_days(d, 1);
        if cells.len() > 62 {
            break;
        }
    }
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    // Compared in place: a key function would copy every title at each comparison.
    sorted.sort_by(|a, b| (!a.all_day, a.start, &a.title).cmp(&(!b.all_day, b.start, &b.title)));
    for e in sorted {
        let (from, to) = e.days(zone);
        for cell in cells.iter_mut().filter(|c| c.date >= from && c.date <= to) {
            cell.items.push(item(tr, zone, e, cell.date, from, to));
        }
    }
    cells
}

fn item(tr: Tr, zone: Zone, e: &Entry, day: NaiveDate, from: NaiveDate, to: NaiveDate) -> DayItem {
    let hm = |t: DateTime<Utc>| t.with_timezone(&zone.0).format("%H:%M").to_string();
    let time = if e.all_day || (day > from && day < to) {
        tr.t("cal.all_day").to_owned()
    } else if from == to {
        tr.t("cal.time_range")
            .replace("{from}", &hm(e.start))
            .replace("{to}", &hm(e.end))
    } else if day == from {
        tr.t("cal.time_range")
            .replace("{from}", &hm(e.start))
            .replace("{to}", "")
    } else {
        tr.t("cal.time_range")
            .replace("{from}", "")
            .replace("{to}", &hm(e.end))
    };
    let mut label = format!("{}, {time}", e.title);
    if day > from {
        label.push_str(&format!(" ({})", tr.t("cal.continued")));
    }
    if !e.place.is_empty() {
        label.push_str(", ");
        label.push_str(&tr.t("cal.at_place").replace("{place}", &e.place));
    }
    label.push_str(", ");
    label.push_str(&tr.t("cal.in_calendar").replace("{name}", &e.calendar));
    if e.recurring {
        label.push_str(", ");
        label.push_str(tr.t("cal.recurring"));
    }
    DayItem {
        href: e.href.clone(),
        title: e.title.clone(),
        colour: e.colour.clone(),
        time,
        label,
        place: e.place.clone(),
        all_day: e.all_day,
    }
}

/// The month grid: the laid-out days cut into weeks.
pub fn weeks(tr: Tr, cells: Vec<DayCell>) -> Vec<WeekRow> {
    let mut rows = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        let days: Vec<DayCell> = it.by_ref().take(7).collect();
        let number = days.first().map_or(0, |d| d.date.iso_week().week());
        let label = tr.t("cal.week_no").replace("{n}", &number.to_string());
        rows.push(WeekRow { label, days });
    }
    rows
}

/// The short names of the weekdays, Monday first, with their long names for screen readers.
pub fn weekday_heads(tr: Tr) -> Vec<(&'static str, &'static str)> {
    (1..=7)
        .map(|i| (tr.t(&format!("cal.wds.{i}")), tr.t(&format!("cal.wd.{i}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_front::Lang;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    fn entry(title: &str, start: &str, end: &str, all_day: bool) -> Entry {
        Entry {
            href: format!("/x/{title}"),
            title: title.into(),
            place: "Aula".into(),
            calendar: "Klasse 5a".into(),
            colour: "#3366cc".into(),
            start: at(start),
            end: at(end),
            all_day,
            recurring: false,
        }
    }

    #[test]
    fn places_events_on_their_berlin_days() {
        let tr = Tr::new(Lang::De);
        let z = Zone::berlin();
        let entries = [
            // 23:30 Berlin on the 2nd is 22:30 UTC.
            entry(
                "Spät",
                "2026-12-02T22:30:00Z",
                "2026-12-02T22:55:00Z",
                false,
            ),
            entry(
                "Fahrt",
                "2026-12-03T23:00:00Z",
                "2026-12-05T23:00:00Z",
                true,
            ),
            entry(
                "Konferenz",
                "2026-12-03T13:00:00Z",
                "2026-12-03T14:30:00Z",
                false,
            ),
        ];
        let cells = lay_out(
            tr,
            z,
            &entries,
            (day(2026, 12, 1), day(2026, 12, 7)),
            Some(12),
            day(2026, 12, 3),
        );
        assert_eq!(cells.len(), 7);
        let titles =
            |i: usize| -> Vec<String> { cells[i].items.iter().map(|x| x.title.clone()).collect() };
        assert_eq!(titles(1), ["Spät"]);
        assert_eq!(titles(2), ["Konferenz"]);
        // The all-day trip covers the 4th and 5th (its end is exclusive).
        assert_eq!(titles(3), ["Fahrt"]);
        assert_eq!(titles(4), ["Fahrt"]);
        assert!(titles(5).is_empty());
        assert!(cells[2].today);
        let k = &cells[2].items[0];
        assert_eq!(k.time, "14:00–15:30");
        assert_eq!(
            k.label,
            "Konferenz, 14:00–15:30, Ort: Aula, Kalender: Klasse 5a"
        );
        assert_eq!(cells[4].items[0].time, "ganztägig");
        assert!(cells[4].items[0].label.contains("Fortsetzung"));
        assert_eq!(cells[2].long, "Donnerstag, 3. Dezember 2026");
    }

    #[test]
    fn a_month_is_cut_into_weeks() {
        let tr = Tr::new(Lang::En);
        let cells = lay_out(
            tr,
            Zone::berlin(),
            &[],
            (day(2026, 11, 30), day(2027, 1, 3)),
            Some(12),
            day(2026, 12, 3),
        );
        let rows = weeks(tr, cells);
        assert_eq!(rows[0].label, "Week 49");
        assert_eq!(rows.len(), 5);
        assert!(!rows[0].days[0].in_month && rows[0].days[1].in_month);
        assert_eq!(month_title(tr, day(2026, 12, 3)), "December 2026");
        assert_eq!(weekday_heads(tr)[6], ("Sun", "Sunday"));
    }
}
