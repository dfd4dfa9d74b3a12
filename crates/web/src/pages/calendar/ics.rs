//! The iCalendar text of a checked event form (RFC 5545): one VEVENT with the school's time
//! zone as TZID, an RRULE and a VALARM where asked. Only writing; the domain parses and
//! checks it in its one ingest path like any CalDAV PUT.
//!
//! Kept here until the domain offers its own builder (`calendar::build`); then this file
//! goes and the form calls that.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};

use super::form::{Draft, Freq, RecurEnd, When};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets without splitting a character.
fn line(out: &mut String, text: &str) {
    let mut width = 0;
    for ch in text.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn rrule(
    r: &super::form::Recurrence,
    all_day: bool,
    tz_until: impl Fn(NaiveDate) -> String,
) -> String {
    let freq = match r.freq {
        Freq::Daily => "DAILY",
        Freq::Weekly => "WEEKLY",
        Freq::Monthly => "MONTHLY",
        Freq::Yearly => "YEARLY",
    };
    let mut s = format!("RRULE:FREQ={freq}");
    if r.interval > 1 {
        s.push_str(&format!(";INTERVAL={}", r.interval));
    }
    match r.end {
        RecurEnd::Never => {}
        RecurEnd::Count(n) => s.push_str(&format!(";COUNT={n}")),
        RecurEnd::Until(d) if all_day => s.push_str(&format!(";UNTIL={}", date(d))),
        RecurEnd::Until(d) => s.push_str(&format!(";UNTIL={}", tz_until(d))),
    }
    s
}

/// The VCALENDAR for `draft` with `uid`, stamped `now`; times in the zone `tz`.
pub fn event(uid: &str, draft: &Draft, tz: chrono_tz::Tz, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Schulhof//Kalender//DE");
    line(&mut out, "BEGIN:VEVENT");
    line(&mut out, &format!("UID:{}", escape(uid)));
    line(
        &mut out,
        &format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
    );
    let tzid = tz.name();
    match draft.when {
        When::AllDay(first, last) => {
            let end = last.checked_add_days(Days::new(1)).unwrap_or(last);
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(first)));
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(end)));
        }
        When::Timed(from, to) => {
            line(&mut out, &format!("DTSTART;TZID={tzid}:{}", local(from)));
            line(&mut out, &format!("DTEND;TZID={tzid}:{}", local(to)));
        }
    }
    if let Some(r) = &draft.recurrence {
        let all_day = matches!(draft.when, When::AllDay(..));
        // UNTIL of a timed event is in UTC: the end of that day in the school's zone.
        let until = |d: NaiveDate| {
            let z = crate::when::Zone(tz);
            z.end_of_day(d).format("%Y%m%dT%H%M%SZ").to_string()
        };
        line(&mut out, &rrule(r, all_day, until));
    }
    line(&mut out, &format!("SUMMARY:{}", escape(&draft.title)));
    if !draft.place.is_empty() {
        line(&mut out, &format!("LOCATION:{}", escape(&draft.place)));
    }
    if !draft.description.is_empty() {
        line(
            &mut out,
            &format!("DESCRIPTION:{}", escape(&draft.description)),
        );
    }
    if draft.public {
        line(&mut out, "X-SCHULHOF-PUBLIC:TRUE");
    }
    if let Some(m) = draft.alarm_minutes {
        line(&mut out, "BEGIN:VALARM");
        line(&mut out, "ACTION:DISPLAY");
        line(&mut out, &format!("DESCRIPTION:{}", escape(&draft.title)));
        line(&mut out, &format!("TRIGGER:-PT{m}M"));
        line(&mut out, "END:VALARM");
    }
    line(&mut out, "END:VEVENT");
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::super::form::Recurrence;
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    fn draft(when: When) -> Draft {
        Draft {
            title: "Elternabend; Klasse 5a, Raum 12".into(),
            place: "Aula".into(),
            description: "Zeile 1\nZeile 2".into(),
            when,
            recurrence: None,
            alarm_minutes: None,
            public: false,
        }
    }

    #[test]
    fn a_timed_event_with_rule_and_alarm() {
        let from = day(2026, 12, 10).and_hms_opt(19, 0, 0).expect("t");
        let to = day(2026, 12, 10).and_hms_opt(20, 30, 0).expect("t");
        let d = Draft {
            recurrence: Some(Recurrence {
                freq: Freq::Weekly,
                interval: 2,
                end: RecurEnd::Until(day(2027, 1, 31)),
            }),
            alarm_minutes: Some(15),
            ..draft(When::Timed(from, to))
        };
        let now = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let text = event("u-1@schulhof", &d, chrono_tz::Europe::Berlin, now);
        assert!(text.contains("DTSTART;TZID=Europe/Berlin:20261210T190000\r\n"));
        assert!(text.contains("DTEND;TZID=Europe/Berlin:20261210T203000\r\n"));
        // The last day ends at midnight Berlin time, 23:00 UTC in winter.
        assert!(text.contains("RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20270131T225959Z\r\n"));
        assert!(text.contains("SUMMARY:Elternabend\\; Klasse 5a\\, Raum 12\r\n"));
        assert!(text.contains("DESCRIPTION:Zeile 1\\nZeile 2\r\n"));
        assert!(text.contains("TRIGGER:-PT15M\r\n"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn all_day_ends_the_day_after_and_long_lines_fold() {
        let mut d = draft(When::AllDay(day(2026, 12, 10), day(2026, 12, 12)));
        d.description = "ä".repeat(100);
        let text = event("u-2", &d, chrono_tz::Europe::Berlin, Utc::now());
        assert!(text.contains("DTSTART;VALUE=DATE:20261210\r\nDTEND;VALUE=DATE:20261213\r\n"));
        assert!(text.lines().all(|l| l.len() <= 75));
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "ä".repeat(100))));
    }
}
