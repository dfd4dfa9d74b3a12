//! Reading one iCalendar object resource with calcard: validation with a clear message, the
//! columns the index keeps, and bounded recurrence expansion.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType as Ty, ICalendarProperty as P,
    ICalendarRecurrenceRule, ICalendarStatus, ICalendarTransparency, ICalendarValue,
};
use calcard::{Entry, Parser};

use super::{CalendarError, Component};

/// The largest object taken (CalDAV max-resource-size).
pub const MAX_OBJECT: usize = 1024 * 1024;
/// Recurrence steps computed per object at most: a daily event is expanded for about 27
/// years, an hourly one for about 14 months; later instances are not shown.
pub const MAX_STEPS: usize = 10_000;
/// Marks "no start" (a task without dates matches every range).
pub const NO_START: i64 = i64::MIN / 4;

/// An object read and checked, with the columns the index keeps.
pub struct Parsed {
    pub ical: ICalendar,
    pub uid: String,
    pub component: Component,
    pub summary: String,
    pub recurring: bool,
    pub all_day: bool,
    /// X-SCHULHOF-PUBLIC:TRUE (the school calendar shows it on the start page).
    pub public: bool,
    /// TRANSP:TRANSPARENT or STATUS:CANCELLED: does not block time.
    pub transparent: bool,
    /// µs UTC.
    pub first_start: i64,
    /// µs UTC; `None` = open end (endless rule, or more steps than expanded).
    pub last_end: Option<i64>,
    /// Every occurrence expanded (sorted by start), for the occurrence index.
    pub occurrences: Vec<Occurrence>,
}

/// One occurrence: µs UTC, and the component it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub start: i64,
    pub end: i64,
    pub comp: u32,
}

fn text(c: &ICalendarComponent, p: &P) -> Option<String> {
    c.property(p)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
        .map(str::to_owned)
}

/// Parses exactly one VCALENDAR; anything else is named in the error.
pub fn parse_one(text: &str) -> Result<ICalendar, CalendarError> {
    // calcard forgives a cut-off text; a stored object must be complete.
    let last = text.trim_end().rsplit(['\n', '\r']).next().unwrap_or("");
    if !last.trim().eq_ignore_ascii_case("END:VCALENDAR") && !text.trim().is_empty() {
        if !text
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("BEGIN:VCALENDAR")
        {
            let first: String = text
                .trim_start()
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            return Err(CalendarError::invalid(format!(
                "line not understood: {first}"
            )));
        }
        return Err(CalendarError::invalid(
            "BEGIN:VCALENDAR has no END:VCALENDAR (the text is cut off)",
        ));
    }
    let mut p = Parser::new(text);
    let ical = match p.entry() {
        Entry::ICalendar(i) => i,
        other => return Err(entry_error(other)),
    };
    if ical.components.first().map(|c| &c.component_type) != Some(&Ty::VCalendar) {
        return Err(CalendarError::invalid(
            "the object must be one VCALENDAR (BEGIN:VCALENDAR … END:VCALENDAR)",
        ));
    }
    match p.entry() {
        Entry::Eof => Ok(ical),
        Entry::ICalendar(_) => Err(CalendarError::invalid(
            "more than one VCALENDAR in one object",
        )),
        other => Err(entry_error(other)),
    }
}

/// What calcard's stream parser found instead of a calendar, as a message.
pub fn entry_error(e: Entry) -> CalendarError {
    CalendarError::InvalidData(match e {
        Entry::InvalidLine(l) => {
            let l: String = l.chars().take(80).collect();
            format!("line not understood: {l}")
        }
        Entry::UnterminatedComponent(c) => format!("BEGIN:{c} has no END:{c}"),
        Entry::UnexpectedComponentEnd { expected, found } => format!(
            "END:{} where END:{} was expected",
            found.as_str(),
            expected.as_str()
        ),
        Entry::TooManyComponents => "too many components".into(),
        Entry::VCard(_) => "this is a vCard, not an iCalendar object".into(),
        Entry::Eof => "empty: no BEGIN:VCALENDAR".into(),
        _ => "not an iCalendar object".into(),
    })
}

/// Checks the components of one object resource: VEVENT or VTODO (one kind), all with the
/// same UID. Returns the kind, the UID and the index of the master component.
fn check_components(ical: &ICalendar) -> Result<(Component, String, usize), CalendarError> {
    let mut kind = None;
    let mut uid: Option<String> = None;
    let mut master = None;
    let mut first = None;
    for (i, c) in ical.components.iter().enumerate().skip(1) {
        let this = match &c.component_type {
            Ty::VEvent => Component::VEvent,
            Ty::VTodo => Component::VTodo,
            Ty::VTimezone | Ty::Standard | Ty::Daylight | Ty::VAlarm => continue,
            // Parts of an event or its alarm (RFC 9073), harmless to keep.
            Ty::Participant | Ty::VLocation | Ty::VResource => continue,
            other => return Err(CalendarError::UnsupportedComponent(other.as_str().into())),
        };
        if kind.is_some_and(|k| k != this) {
            return Err(CalendarError::invalid(
                "VEVENT and VTODO mixed in one object",
            ));
        }
        kind = Some(this);
        let Some(u) = text(c, &P::Uid).filter(|u| !u.trim().is_empty()) else {
            return Err(CalendarError::invalid(format!(
                "{} without UID",
                this.as_str()
            )));
        };
        match &uid {
            Some(prev) if *prev != u => {
                return Err(CalendarError::invalid(
                    "more than one UID in one object (each event is its own object)",
                ));
            }
            _ => uid = Some(u),
        }
        first.get_or_insert(i);
        if master.is_none() && !c.has_property(&P::RecurrenceId) {
            master = Some(i);
        }
    }
    match (kind, uid, master.or(first)) {
        (Some(k), Some(u), Some(m)) => Ok((k, u, m)),
        _ => Err(CalendarError::invalid(
            "no VEVENT or VTODO in the VCALENDAR",
        )),
    }
}

fn is_endless(r: &ICalendarRecurrenceRule) -> bool {
    r.count.is_none() && r.until.is_none()
}

/// Reads, checks and indexes one object resource. `tz` is the school's zone, used for
/// floating times and dates.
pub fn parse(raw: &[u8], tz: chrono_tz::Tz) -> Result<Parsed, CalendarError> {
    if raw.len() > MAX_OBJECT {
        return Err(CalendarError::TooLarge { max: MAX_OBJECT });
    }
    let source = std::str::from_utf8(raw).map_err(|_| CalendarError::invalid("not UTF-8 text"))?;
    let ical = parse_one(source)?;
    let (component, uid, master) = check_components(&ical)?;
    let m = &ical.components[master];
    if component == Component::VEvent && !m.has_property(&P::Dtstart) {
        return Err(CalendarError::invalid("VEVENT without DTSTART"));
    }
    let all_day = m
        .property(&P::Dtstart)
        .and_then(|e| e.values.first())
        .is_some_and(|v| matches!(v, ICalendarValue::PartialDateTime(d) if !d.has_time()));
    let public = ical.components[1..].iter().any(|c| {
        c.entries.iter().any(|e| {
            e.name.as_str().eq_ignore_ascii_case("X-SCHULHOF-PUBLIC")
                && e.values
                    .first()
                    .and_then(|v| v.as_text())
                    .is_some_and(|t| t.eq_ignore_ascii_case("TRUE"))
        })
    });
    let transparent = matches!(m.transparency(), Some(ICalendarTransparency::Transparent))
        || matches!(m.status(), Some(ICalendarStatus::Cancelled));
    // Only the event or task itself: a VTIMEZONE's STANDARD and DAYLIGHT carry endless
    // yearly rules in nearly every object a client sends, and would make each one look
    // recurring and endless (an open index row, expanded on every request).
    let items = || {
        ical.components
            .iter()
            .filter(|c| matches!(c.component_type, Ty::VEvent | Ty::VTodo))
    };
    let recurring = items().any(|c| c.is_recurrent_or_override());
    let endless = items().any(|c| {
        c.entries.iter().any(|e| {
            matches!((&e.name, e.values.first()), (P::Rrule, Some(ICalendarValue::RecurrenceRule(r))) if is_endless(r))
        })
    });
    let (occ, truncated) = expand(&ical, tz)?;
    let first_start = occ.iter().map(|o| o.start).min().unwrap_or(NO_START);
    let last_end = if endless || truncated || occ.is_empty() {
        None
    } else {
        occ.iter().map(|o| o.end).max()
    };
    Ok(Parsed {
        summary: text(m, &P::Summary).unwrap_or_default(),
        ical,
        uid,
        component,
        recurring,
        all_day,
        public,
        transparent,
        first_start,
        last_end,
        occurrences: occ,
    })
}

/// Every occurrence up to [`MAX_STEPS`] recurrence steps, and whether the steps ran out.
/// Broken dates or rules are an error naming them.
pub fn expand(
    ical: &ICalendar,
    tz: chrono_tz::Tz,
) -> Result<(Vec<Occurrence>, bool), CalendarError> {
    let x = ical.expand_dates(tz, MAX_STEPS);
    if let Some(e) = x.errors.first() {
        let what = ical
            .components
            .get(e.comp_id as usize)
            .map_or("component", |c| c.component_type.as_str());
        return Err(CalendarError::invalid(format!("{what}: {}", e.error)));
    }
    // Steps that were skipped (EXDATE) count too, so a full budget means "maybe more".
    let truncated = x.events.len() >= MAX_STEPS / 2;
    let mut out = Vec::with_capacity(x.events.len());
    for ev in x.events {
        let comp = ev.comp_id;
        let Some(ev) = ev.try_into_date_time() else {
            continue;
        };
        let start = ev.start.timestamp_micros();
        let end = ev.end.timestamp_micros().max(start);
        out.push(Occurrence { start, end, comp });
    }
    out.sort_by_key(|o| (o.start, o.comp));
    Ok((out, truncated))
}

/// Whether an occurrence overlaps the half-open range [start, end) (RFC 4791 §9.9: an
/// instant event at the range start counts).
pub fn overlaps(o: &Occurrence, start: i64, end: i64) -> bool {
    o.start < end && (o.end > start || (o.end == o.start && o.start >= start))
}

/// The summary of the component an occurrence comes from (an exception may rename it).
pub fn summary_of(ical: &ICalendar, comp: u32) -> String {
    ical.components
        .get(comp as usize)
        .and_then(|c| text(c, &P::Summary))
        .unwrap_or_default()
}

/// The place (LOCATION) of the component an occurrence comes from.
pub fn location_of(ical: &ICalendar, comp: u32) -> String {
    ical.components
        .get(comp as usize)
        .and_then(|c| text(c, &P::Location))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

    fn obj(body: &str) -> Vec<u8> {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n")
            .into_bytes()
    }

    #[test]
    fn a_plain_event_is_indexed_exactly() {
        let p = parse(
            &obj("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20261203T100000\r\nDTEND;TZID=Europe/Berlin:20261203T113000\r\nSUMMARY:Konferenz\r\nEND:VEVENT\r\n"),
            BERLIN,
        )
        .expect("parsed");
        assert_eq!(p.uid, "a");
        assert_eq!(p.summary, "Konferenz");
        assert!(!p.recurring && !p.all_day);
        // 10:00 in Berlin in December is 09:00 UTC.
        assert_eq!(p.first_start, 1_796_288_400 * 1_000_000);
        assert_eq!(p.last_end, Some((1_796_288_400 + 5400) * 1_000_000));
    }

    #[test]
    fn broken_data_is_named() {
        let e = |b: &[u8]| {
            parse(b, BERLIN)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            e(b"hello").contains("line not understood"),
            "{}",
            e(b"hello")
        );
        assert!(
            e(&obj(
                "BEGIN:VEVENT\r\nDTSTART:20261203T100000Z\r\nEND:VEVENT\r\n"
            ))
            .contains("without UID")
        );
        assert!(e(&obj("BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n")).contains("DTSTART"));
        assert!(e(&obj("BEGIN:VJOURNAL\r\nUID:x\r\nEND:VJOURNAL\r\n")).contains("VJOURNAL"));
        let cut = e(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261203T100000Z\r\n");
        assert!(cut.contains("END"), "{cut}");
        let two = obj(
            "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261203T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:y\r\nDTSTART:20261203T100000Z\r\nEND:VEVENT\r\n",
        );
        assert!(e(&two).contains("more than one UID"));
        assert!(e(&[0xff, 0xfe]).contains("UTF-8"));
    }

    #[test]
    fn an_endless_daily_rule_is_bounded() {
        let t = std::time::Instant::now();
        let p = parse(
            &obj("BEGIN:VEVENT\r\nUID:d\r\nDTSTART:19260101T080000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"),
            BERLIN,
        )
        .expect("parsed");
        assert!(p.recurring);
        assert_eq!(p.last_end, None, "open end");
        assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
        let secondly = parse(
            &obj("BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20260101T080000Z\r\nRRULE:FREQ=SECONDLY;UNTIL=21260101T000000Z\r\nEND:VEVENT\r\n"),
            BERLIN,
        )
        .expect("parsed");
        assert_eq!(
            secondly.last_end, None,
            "more steps than expanded: open end"
        );
    }
}
