//! A series rule in words for the event page: "wöchentlich am Montag und Donnerstag bis
//! 20.12.2026 (2 Termine ausgelassen)" / "weekly on Monday and Thursday until 2026-12-20
//! (2 dates left out)". Rules the simple words cannot say fully get a note saying so.

use chrono::{Datelike, Duration, NaiveDate};
use schulhof_domain::calendar::{EventFields, RuleFields};

use crate::i18n::Tr;
use crate::when::{Zone, format_day};

/// The first date's day in the school's zone (an all-day date read around noon).
fn first_day(zone: Zone, f: &EventFields) -> NaiveDate {
    if f.all_day {
        (f.start + Duration::hours(12)).date_naive()
    } else {
        zone.today(f.start)
    }
}

/// "Montag", "Montag und Donnerstag", "Montag, Mittwoch und Freitag".
fn list(tr: Tr, names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [head @ .., last] => format!("{} {} {last}", head.join(", "), tr.t("cal.rule.and")),
    }
}

/// A key with an interval: the `_n` variant with `{n}` when the interval is above one.
fn every(tr: Tr, key: &str, interval: u32) -> String {
    if interval > 1 {
        tr.t(&format!("{key}_n"))
            .replace("{n}", &interval.to_string())
    } else {
        tr.t(key).to_owned()
    }
}

fn rule_words(tr: Tr, r: &RuleFields, first: NaiveDate) -> String {
    let mut s = match r.freq {
        "DAILY" => every(tr, "cal.rule.daily", r.interval),
        "WEEKLY" => {
            let mut days = r.weekdays.clone();
            if days.is_empty() {
                days.push(first.weekday().number_from_monday());
            }
            let names: Vec<&str> = days.iter().map(|d| tr.t(&format!("cal.wd.{d}"))).collect();
            every(tr, "cal.rule.weekly", r.interval).replace("{days}", &list(tr, &names))
        }
        "MONTHLY" => {
            every(tr, "cal.rule.monthly", r.interval).replace("{d}", &first.day().to_string())
        }
        _ => {
            let date = tr
                .t("cal.rule.day_month")
                .replace("{d}", &first.day().to_string())
                .replace("{month}", tr.t(&format!("cal.month.{}", first.month())));
            every(tr, "cal.rule.yearly", r.interval).replace("{date}", &date)
        }
    };
    if let Some(u) = r.until {
        s.push(' ');
        s.push_str(&tr.t("cal.rule.until").replace("{date}", &format_day(tr, u)));
    }
    if let Some(n) = r.count {
        s.push_str(", ");
        s.push_str(&tr.t("cal.rule.count").replace("{n}", &n.to_string()));
    }
    if r.more {
        s.push_str(", ");
        s.push_str(tr.t("cal.rule.more"));
    }
    s
}

/// "1 Termin …" or "{n} Termine …".
fn counted(tr: Tr, key: &str, n: usize) -> Option<String> {
    match n {
        0 => None,
        1 => Some(tr.t(&format!("{key}_one")).to_owned()),
        n => Some(tr.t(key).replace("{n}", &n.to_string())),
    }
}

/// The series in words, or `None` for a single event.
pub fn words(tr: Tr, zone: Zone, f: &EventFields) -> Option<String> {
    let mut s = match &f.rule {
        Some(r) => rule_words(tr, r, first_day(zone, f)),
        None if f.recurring => tr.t("cal.recurring").to_owned(),
        None => return None,
    };
    let notes: Vec<String> = [
        counted(tr, "cal.rule.skipped", f.skipped),
        counted(tr, "cal.rule.changed", f.changed),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use schulhof_front::Lang;

    fn fields(rule: Option<RuleFields>, skipped: usize, changed: usize) -> EventFields {
        EventFields {
            etag: String::new(),
            summary: String::new(),
            location: String::new(),
            description: String::new(),
            all_day: false,
            // Monday, 2 November 2026, 08:00 in Berlin.
            start: Utc
                .with_ymd_and_hms(2026, 11, 2, 7, 0, 0)
                .single()
                .expect("t"),
            end: Utc
                .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
                .single()
                .expect("t"),
            rule,
            recurring: true,
            skipped,
            changed,
        }
    }

    fn rule(freq: &'static str, interval: u32, weekdays: Vec<u32>) -> RuleFields {
        RuleFields {
            freq,
            interval,
            until: None,
            count: None,
            weekdays,
            more: false,
        }
    }

    #[test]
    fn series_read_as_words_in_both_languages() {
        let (de, en, z) = (Tr::new(Lang::De), Tr::new(Lang::En), Zone::berlin());
        let mut weekly = rule("WEEKLY", 1, vec![]);
        weekly.until = NaiveDate::from_ymd_opt(2026, 12, 20);
        let f = fields(Some(weekly), 0, 0);
        assert_eq!(
            words(de, z, &f).as_deref(),
            Some("wöchentlich am Montag bis 20.12.2026")
        );
        assert_eq!(
            words(en, z, &f).as_deref(),
            Some("weekly on Monday until 2026-12-20")
        );
        let f = fields(Some(rule("WEEKLY", 2, vec![1, 4])), 2, 1);
        assert_eq!(
            words(de, z, &f).as_deref(),
            Some(
                "alle 2 Wochen am Montag und Donnerstag (2 Termine ausgelassen, 1 Termin geändert)"
            )
        );
        assert_eq!(
            words(en, z, &f).as_deref(),
            Some("every 2 weeks on Monday and Thursday (2 dates left out, 1 date changed)")
        );
        let mut daily = rule("DAILY", 1, vec![]);
        daily.count = Some(5);
        assert_eq!(
            words(de, z, &fields(Some(daily), 1, 0)).as_deref(),
            Some("täglich, 5-mal (1 Termin ausgelassen)")
        );
        assert_eq!(
            words(de, z, &fields(Some(rule("MONTHLY", 1, vec![])), 0, 0)).as_deref(),
            Some("monatlich am 2.")
        );
        assert_eq!(
            words(en, z, &fields(Some(rule("YEARLY", 1, vec![])), 0, 0)).as_deref(),
            Some("yearly on 2 November")
        );
        let mut odd = rule("MONTHLY", 1, vec![]);
        odd.more = true;
        assert!(words(de, z, &fields(Some(odd), 0, 0)).is_some_and(|w| w.contains("weiteren")));
        // Recurring only by RDATE: the plain word; a single event: none.
        assert_eq!(
            words(de, z, &fields(None, 0, 0)).as_deref(),
            Some("Serientermin")
        );
        let mut single = fields(None, 0, 0);
        single.recurring = false;
        assert_eq!(words(de, z, &single), None);
    }
}
