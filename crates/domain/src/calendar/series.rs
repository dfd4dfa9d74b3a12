//! Changing and deleting an event as a whole, one occurrence of a series, or an occurrence
//! and all that follow it (RFC 5545 practice: the series is split, the old master ends with
//! UNTIL before the occurrence and a new master with a new UID starts there). Every text
//! written goes through the one ingest path ([`Platform::put_in`]), in one transaction.
//!
//! The new part of a split series carries the attachments of the old one (new rows, the same
//! files); the old part keeps its own.
//!
//! The new event comes as iCalendar text (the web form writes it); its UID is replaced here.
//! Properties the form does not know (attendees, organiser, categories, exceptions) are
//! carried over from the stored master.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType as Ty, ICalendarEntry,
    ICalendarProperty as P, ICalendarValue,
};
use chrono::{DateTime, Duration, Utc};
use schulhof_store::calendar::objects as store;

use super::invite_mail::InviteMails;
use super::objects::may_read;
use super::{CalendarError, CalendarId, Precondition, ical};
use crate::Platform;
use crate::identity::Actor;

/// Which occurrences of an event a change or deletion concerns; the instant is the
/// occurrence's start as the views show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesScope {
    All,
    Only(DateTime<Utc>),
    Following(DateTime<Utc>),
}

/// What the form writes; everything else of the stored master is kept.
const FORM_PROPS: &[P] = &[
    P::Uid,
    P::Dtstamp,
    P::Dtstart,
    P::Dtend,
    P::Duration,
    P::Summary,
    P::Location,
    P::Description,
    P::Rrule,
];

/// One content line as a calcard entry (parsed, never assembled by hand).
fn entry(line: &str) -> Result<ICalendarEntry, CalendarError> {
    let text =
        format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{line}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let ical = ical::parse_one(&text)?;
    ical.components
        .get(1)
        .and_then(|c| c.entries.first())
        .cloned()
        .ok_or_else(|| CalendarError::invalid("internal: no entry"))
}

/// A date-time value line for the occurrence at `at`: a date for all-day events (in the
/// school's zone), else UTC.
fn at_line(name: &str, at: DateTime<Utc>, all_day: bool, tz: chrono_tz::Tz) -> String {
    if all_day {
        let d = at.with_timezone(&tz).date_naive();
        format!("{name};VALUE=DATE:{}", d.format("%Y%m%d"))
    } else {
        format!("{name}:{}", at.format("%Y%m%dT%H%M%SZ"))
    }
}

/// Copies component `idx` of `src` (with what it contains) into `dst`; returns its index.
fn graft(dst: &mut ICalendar, src: &ICalendar, idx: u32) -> u32 {
    let c = &src.components[idx as usize];
    let kids: Vec<u32> = c
        .component_ids
        .iter()
        .map(|k| graft(dst, src, *k))
        .collect();
    dst.components.push(ICalendarComponent {
        component_type: c.component_type.clone(),
        entries: c.entries.clone(),
        component_ids: kids,
    });
    (dst.components.len() - 1) as u32
}

/// A new VCALENDAR with the root's properties of `src` and those top-level components of
/// `src` that `keep` accepts.
fn rebuild(src: &ICalendar, keep: impl Fn(u32) -> bool) -> ICalendar {
    let mut out = ICalendar {
        components: vec![ICalendarComponent {
            component_type: Ty::VCalendar,
            entries: src.components[0].entries.clone(),
            component_ids: vec![],
        }],
    };
    for k in src.components[0].component_ids.clone() {
        if keep(k) {
            let n = graft(&mut out, src, k);
            out.components[0].component_ids.push(n);
        }
    }
    out
}

fn master_of(ical: &ICalendar) -> Option<u32> {
    ical.components[0].component_ids.iter().copied().find(|k| {
        let c = &ical.components[*k as usize];
        c.component_type == Ty::VEvent && !c.has_property(&P::RecurrenceId)
    })
}

/// The new event's VEVENT with `uid`, plus the master's properties the form does not write
/// (`series`: the rule's companions RDATE/EXDATE too).
fn shaped(
    new: &ICalendar,
    old: &ICalendar,
    uid: &str,
    series: bool,
) -> Result<ICalendar, CalendarError> {
    let m = master_of(new).ok_or_else(|| CalendarError::invalid("no VEVENT"))?;
    let mut out = rebuild(new, |k| k == m);
    let ev = out.components[0].component_ids[0] as usize;
    out.components[ev].entries.retain(|e| e.name != P::Uid);
    out.components[ev]
        .entries
        .insert(0, entry(&format!("UID:{uid}"))?);
    if let Some(om) = master_of(old) {
        let carried = old.components[om as usize].entries.iter().filter(|e| {
            !FORM_PROPS.contains(&e.name)
                && (series || !matches!(e.name, P::Rdate | P::Exdate))
                && e.name != P::RecurrenceId
                && !e.name.as_str().eq_ignore_ascii_case("X-SCHULHOF-PUBLIC")
        });
        let carried: Vec<ICalendarEntry> = carried.cloned().collect();
        out.components[ev].entries.extend(carried);
    }
    Ok(out)
}

/// Whether an override component stands for the occurrence at `at` (as this module writes
/// RECURRENCE-ID: UTC or a date).
fn overrides(c: &ICalendarComponent, at: DateTime<Utc>, all_day: bool, tz: chrono_tz::Tz) -> bool {
    let Ok(want) = entry(&at_line("RECURRENCE-ID", at, all_day, tz)) else {
        return false;
    };
    c.property(&P::RecurrenceId)
        .is_some_and(|e| e.values == want.values)
}

/// The master's rule ended before `at` (UNTIL one second earlier, or the day before);
/// exceptions from `at` on dropped.
fn end_before(
    old: &ICalendar,
    at: DateTime<Utc>,
    all_day: bool,
    tz: chrono_tz::Tz,
) -> Result<ICalendar, CalendarError> {
    let occ = ical::expand(old, tz)?.0;
    let late: Vec<u32> = occ
        .iter()
        .filter(|o| o.start >= at.timestamp_micros())
        .map(|o| o.comp)
        .collect();
    let m = master_of(old).ok_or_else(|| CalendarError::invalid("no VEVENT"))?;
    let mut out = rebuild(old, |k| k == m || !late.contains(&k));
    let until_at = if all_day {
        at - Duration::days(1)
    } else {
        at - Duration::seconds(1)
    };
    let until_line = at_line("X", until_at, all_day, tz);
    let until_value = until_line.split_once(':').map_or("", |(_, v)| v);
    let probe = entry(&format!("RRULE:FREQ=DAILY;UNTIL={until_value}"))?;
    let Some(ICalendarValue::RecurrenceRule(p)) = probe.values.first() else {
        return Err(CalendarError::invalid("internal: UNTIL"));
    };
    let ev = master_of(&out).ok_or_else(|| CalendarError::invalid("no VEVENT"))? as usize;
    for e in &mut out.components[ev].entries {
        if e.name == P::Rrule
            && let Some(ICalendarValue::RecurrenceRule(r)) = e.values.first_mut()
        {
            r.until = p.until.clone();
            r.count = None;
        }
    }
    Ok(out)
}

impl Platform {
    /// The stored text, parsed, after the read check; with its all-day flag.
    async fn stored_event(
        &self,
        c: &mut impl schulhof_store::AsConn,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<(ICalendar, bool, i64, String), CalendarError> {
        let (row, _) = self.calendar_row(c, a, cal).await?;
        may_read(a, &row)?;
        let (o, raw) = store::get(c, a.token.instance(), cal, href)
            .await?
            .ok_or(CalendarError::NotFound)?;
        Ok((ical::parse_one(&raw)?, o.all_day, o.first_start, o.uid))
    }

    /// Changes an event, one occurrence of it, or an occurrence and all that follow, to
    /// `new` (one VEVENT; its UID is replaced). `etag` guards against a change in between.
    /// Returns the name of the object that holds the changed occurrence.
    pub async fn calendar_change_event(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        etag: Precondition,
        scope: SeriesScope,
        new: &[u8],
    ) -> Result<String, CalendarError> {
        let tz = a.time_zone;
        let new = ical::parse_one(
            std::str::from_utf8(new).map_err(|_| CalendarError::invalid("not UTF-8 text"))?,
        )?;
        let mut tx = self.db.begin().await?;
        let mut mails = InviteMails::default();
        let (old, all_day, first, uid) = self.stored_event(&mut tx, a, cal, href).await?;
        let scope = match scope {
            SeriesScope::Following(at) if at.timestamp_micros() <= first => SeriesScope::All,
            s => s,
        };
        let mut written = href.to_owned();
        let whole = match scope {
            SeriesScope::All => {
                let mut out = shaped(&new, &old, &uid, true)?;
                // Exceptions of the old series stay.
                let m = master_of(&old);
                for k in old.components[0].component_ids.clone() {
                    if Some(k) != m {
                        let n = graft(&mut out, &old, k);
                        out.components[0].component_ids.push(n);
                    }
                }
                out
            }
            SeriesScope::Only(at) => {
                let one = shaped(&new, &old, &uid, false)?;
                let mut out = rebuild(&old, |k| {
                    !overrides(&old.components[k as usize], at, all_day, tz)
                });
                let n = graft(&mut out, &one, one.components[0].component_ids[0]);
                let comp = &mut out.components[n as usize];
                comp.entries.retain(|e| e.name != P::Rrule);
                comp.entries
                    .insert(1, entry(&at_line("RECURRENCE-ID", at, all_day, tz))?);
                out.components[0].component_ids.push(n);
                out
            }
            SeriesScope::Following(at) => {
                let new_uid = format!("{}@schulhof", uuid::Uuid::now_v7());
                let next = shaped(&new, &old, &new_uid, false)?.to_string();
                written = format!("{new_uid}.ics");
                let parsed = ical::parse(next.as_bytes(), tz)?;
                self.put_in(
                    &mut tx,
                    a,
                    cal,
                    &written,
                    next.as_bytes(),
                    &parsed,
                    &Precondition::IfNoneMatch,
                    &mut mails,
                )
                .await?;
                // The new part carries the event's attachments (the old part keeps its own).
                self.carry_attachments(&mut tx, a, cal, href, &written)
                    .await?;
                end_before(&old, at, all_day, tz)?
            }
        };
        let text = whole.to_string();
        let parsed = ical::parse(text.as_bytes(), tz)?;
        self.put_in(
            &mut tx,
            a,
            cal,
            href,
            text.as_bytes(),
            &parsed,
            &etag,
            &mut mails,
        )
        .await?;
        tx.commit().await?;
        self.calendar_send_invite_mails(mails).await;
        Ok(written)
    }

    /// Deletes an event, one occurrence (an EXDATE), or an occurrence and all that follow
    /// (the rule ends before it).
    pub async fn calendar_delete_event(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        etag: Precondition,
        scope: SeriesScope,
    ) -> Result<(), CalendarError> {
        let tz = a.time_zone;
        let mut tx = self.db.begin().await?;
        let mut mails = InviteMails::default();
        let (old, all_day, first, _) = self.stored_event(&mut tx, a, cal, href).await?;
        let whole = match scope {
            SeriesScope::All => None,
            SeriesScope::Following(at) if at.timestamp_micros() <= first => None,
            SeriesScope::Following(at) => Some(end_before(&old, at, all_day, tz)?),
            SeriesScope::Only(at) => {
                let mut out = rebuild(&old, |k| {
                    !overrides(&old.components[k as usize], at, all_day, tz)
                });
                let m = master_of(&out).ok_or_else(|| CalendarError::invalid("no VEVENT"))?;
                let ex = entry(&at_line("EXDATE", at, all_day, tz))?;
                out.components[m as usize].entries.push(ex);
                Some(out)
            }
        };
        let Some(whole) = whole else {
            drop(tx);
            return self.calendar_delete_object(a, cal, href, etag).await;
        };
        let text = whole.to_string();
        let parsed = ical::parse(text.as_bytes(), tz)?;
        self.put_in(
            &mut tx,
            a,
            cal,
            href,
            text.as_bytes(),
            &parsed,
            &etag,
            &mut mails,
        )
        .await?;
        tx.commit().await?;
        self.calendar_send_invite_mails(mails).await;
        Ok(())
    }
}
