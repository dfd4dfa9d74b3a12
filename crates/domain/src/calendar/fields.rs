//! What an edit form shows of a stored event: its master's title, place, description,
//! times and simple recurrence rule, read with calcard.

use calcard::icalendar::{
    ICalendarComponentType as Ty, ICalendarFrequency as F, ICalendarProperty as P, ICalendarValue,
};
use chrono::{DateTime, NaiveDate, Utc};
use schulhof_store::from_us;

use super::{CalendarError, CalendarId, ical};
use crate::Platform;
use crate::identity::Actor;

/// A simple rule as forms offer it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFields {
    /// `DAILY`, `WEEKLY`, `MONTHLY`, `YEARLY` (others are shown as not editable).
    pub freq: &'static str,
    pub interval: u32,
    /// The last day, in the school's zone.
    pub until: Option<NaiveDate>,
    pub count: Option<u32>,
    /// BYDAY without ordinals, 1 = Monday … 7 = Sunday, in the rule's order (empty: the
    /// first date's weekday).
    pub weekdays: Vec<u32>,
    /// Parts the simple fields do not say (BYDAY with ordinals, BYMONTHDAY, BYSETPOS, …):
    /// the words then say less than the rule does.
    pub more: bool,
}

/// The fields of an event's master component.
#[derive(Clone, Debug)]
pub struct EventFields {
    pub etag: String,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub all_day: bool,
    /// The first occurrence.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub rule: Option<RuleFields>,
    pub recurring: bool,
    /// Dates left out of the series (EXDATE values).
    pub skipped: usize,
    /// Dates of the series changed on their own (components with RECURRENCE-ID).
    pub changed: usize,
}

fn weekday_number(d: calcard::icalendar::ICalendarWeekday) -> u32 {
    use calcard::icalendar::ICalendarWeekday as W;
    match d {
        W::Monday => 1,
        W::Tuesday => 2,
        W::Wednesday => 3,
        W::Thursday => 4,
        W::Friday => 5,
        W::Saturday => 6,
        W::Sunday => 7,
    }
}

/// Whether the rule has parts beyond frequency, interval, end and plain weekdays.
fn has_more(r: &calcard::icalendar::ICalendarRecurrenceRule) -> bool {
    r.byday.iter().any(|d| d.ordwk.is_some())
        || !r.bymonthday.is_empty()
        || !r.byyearday.is_empty()
        || !r.byweekno.is_empty()
        || !r.bymonth.is_empty()
        || !r.bysetpos.is_empty()
        || !r.byhour.is_empty()
        || !r.byminute.is_empty()
        || !r.bysecond.is_empty()
}

fn freq(f: &F) -> Option<&'static str> {
    match f {
        F::Daily => Some("DAILY"),
        F::Weekly => Some("WEEKLY"),
        F::Monthly => Some("MONTHLY"),
        F::Yearly => Some("YEARLY"),
        _ => None,
    }
}

impl Platform {
    /// The editable fields of an event (whoever reads the calendar may see them).
    pub async fn calendar_event_fields(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<EventFields, CalendarError> {
        let o = self.calendar_get(a, cal, href).await?;
        let parsed = ical::parse_one(&o.raw)?;
        let (occ, _) = ical::expand(&parsed, a.time_zone)?;
        let master = parsed.components[0]
            .component_ids
            .iter()
            .copied()
            .find(|k| {
                let c = &parsed.components[*k as usize];
                matches!(c.component_type, Ty::VEvent | Ty::VTodo)
                    && !c.has_property(&P::RecurrenceId)
            });
        let m = master.ok_or_else(|| CalendarError::invalid("no VEVENT"))?;
        let comp = &parsed.components[m as usize];
        let text = |p: &P| {
            comp.property(p)
                .and_then(|e| e.values.first())
                .and_then(|v| v.as_text())
                .unwrap_or_default()
                .to_owned()
        };
        let first = occ.iter().find(|x| x.comp == m).or(occ.first());
        let (start, end) = first.map_or((0, 0), |x| (x.start, x.end));
        let rule = comp
            .property(&P::Rrule)
            .and_then(|e| e.values.first())
            .and_then(|v| match v {
                ICalendarValue::RecurrenceRule(r) => Some(r),
                _ => None,
            })
            .and_then(|r| {
                Some(RuleFields {
                    freq: freq(&r.freq)?,
                    interval: r.interval.map_or(1, u32::from),
                    until: r.until.as_ref().and_then(|u| {
                        let d = u.to_date_time()?;
                        Some(match d.offset {
                            Some(_) => d
                                .date_time
                                .and_utc()
                                .with_timezone(&a.time_zone)
                                .date_naive(),
                            None => d.date_time.date(),
                        })
                    }),
                    count: r.count,
                    weekdays: r
                        .byday
                        .iter()
                        .filter(|d| d.ordwk.is_none())
                        .map(|d| weekday_number(d.weekday))
                        .collect(),
                    more: has_more(r),
                })
            });
        let skipped = comp
            .entries
            .iter()
            .filter(|e| e.name == P::Exdate)
            .map(|e| e.values.len())
            .sum();
        let changed = parsed.components[0]
            .component_ids
            .iter()
            .filter(|k| {
                let c = &parsed.components[**k as usize];
                matches!(c.component_type, Ty::VEvent | Ty::VTodo)
                    && c.has_property(&P::RecurrenceId)
            })
            .count();
        Ok(EventFields {
            etag: o.info.etag,
            summary: text(&P::Summary),
            location: text(&P::Location),
            description: text(&P::Description),
            all_day: o.info.all_day,
            start: from_us(start),
            end: from_us(end),
            rule,
            recurring: o.info.recurring,
            skipped,
            changed,
        })
    }
}
