//! Busy times, never details: of invitees while picking a time, of a person by address
//! (CalDAV outbox free/busy, only inside the school), and of one calendar
//! (free-busy-query). Transparent and cancelled events, and cancelled or transparent single
//! occurrences of a series, block no time.

use calcard::icalendar::{ICalendarComponentType as Ty, ICalendarProperty as P, ICalendarValue};
use chrono::{DateTime, Utc};
use schulhof_authz::calendar::{CalOwner, CalendarFacts, ReadFreeBusy};
use schulhof_authz::check;
use schulhof_store::calendar::calendars as cals;
use schulhof_store::calendar::objects as store;
use schulhof_store::{AsConn, from_us, to_us};
use schulhof_types::InstanceId;

use super::ical;
use super::invitations::{InviteeBusy, InviteeInfo, MAX_INVITEES};
use super::itip;
use super::{Busy, CalendarError, CalendarId, TimeRange};
use crate::Platform;
use crate::identity::Actor;
use crate::mail::address::{Dest, resolve};

/// The longest range one free/busy request covers.
const MAX_DAYS: i64 = 366;

/// A free/busy request (VFREEBUSY, METHOD:REQUEST) answered per recipient.
#[derive(Clone, Debug)]
pub struct FreeBusyAnswer {
    pub uid: String,
    pub organizer: String,
    pub range: TimeRange,
    /// Each recipient (without `mailto:`) and its busy times; `None`: unknown to the caller
    /// (another school, no person, or not allowed).
    pub recipients: Vec<(String, Option<Vec<Busy>>)>,
}

fn utc_of(c: &calcard::icalendar::ICalendarComponent, p: &P) -> Option<DateTime<Utc>> {
    match c.property(p)?.values.first()? {
        ICalendarValue::PartialDateTime(d) => Some(d.to_date_time()?.date_time.and_utc()),
        _ => None,
    }
}

/// Busy intervals of the objects of `cals` in [s, e): transparent and cancelled events
/// (and cancelled or transparent single occurrences of a series) do not count.
async fn busy_in(
    c: &mut impl AsConn,
    inst: InstanceId,
    ids: &[CalendarId],
    (s, e): (i64, i64),
    tz: chrono_tz::Tz,
) -> Result<Vec<Busy>, CalendarError> {
    let rows = store::in_range(c, inst, ids, s, e, true).await?;
    let mut out = Vec::new();
    let busy = |start: i64, end: i64| Busy {
        start: from_us(start.max(s)),
        end: from_us(end.min(e)),
        tentative: false,
    };
    for (o, raw) in rows.iter().filter(|(o, _)| !o.transparent) {
        if !o.recurring {
            let x = ical::Occurrence {
                start: o.first_start,
                end: o.last_end.unwrap_or(e),
                comp: 0,
            };
            if o.first_start > ical::NO_START && ical::overlaps(&x, s, e) {
                out.push(busy(x.start, x.end));
            }
            continue;
        }
        let Some(Ok(parsed)) = raw.as_deref().map(ical::parse_one) else {
            continue;
        };
        let Ok((occ, _)) = ical::expand(&parsed, tz) else {
            continue;
        };
        out.extend(
            occ.iter()
                .filter(|x| ical::overlaps(x, s, e) && itip::blocks(&parsed, x.comp))
                .map(|x| busy(x.start, x.end)),
        );
    }
    out.sort_by_key(|b| (b.start, b.end));
    Ok(out)
}

impl Platform {
    /// Busy times (only start and end) of each invited person in `range`, for picking a
    /// time; groups are left out (too many people to show).
    pub async fn calendar_invitee_busy(
        &self,
        a: &Actor,
        invitees: &[InviteeInfo],
        range: TimeRange,
    ) -> Result<Vec<InviteeBusy>, CalendarError> {
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        for i in invitees.iter().take(MAX_INVITEES) {
            let Some(u) = i.user else { continue };
            let f = CalendarFacts {
                instance: inst,
                owner: CalOwner::Personal(u),
                shared: None,
            };
            if check(&a.token, ReadFreeBusy(f)).is_err() {
                continue;
            }
            let ids = cals::personal_of(&mut c, inst, u).await?;
            let r = (to_us(range.start), to_us(range.end));
            out.push(InviteeBusy {
                name: i.name.clone(),
                busy: busy_in(&mut c, inst, &ids, r, a.time_zone).await?,
            });
        }
        Ok(out)
    }

    /// Busy times of a person given by address (CalDAV outbox free/busy): `None` when the
    /// address is no person of the caller's school whose busy times the caller may see.
    pub async fn calendar_busy_of_address(
        &self,
        a: &Actor,
        address: &str,
        range: TimeRange,
    ) -> Result<Option<Vec<Busy>>, CalendarError> {
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let Dest::User { instance, user } = resolve(&mut c, &itip::address(address)).await? else {
            return Ok(None);
        };
        let f = CalendarFacts {
            instance,
            owner: CalOwner::Personal(user),
            shared: None,
        };
        if instance != inst || check(&a.token, ReadFreeBusy(f)).is_err() {
            return Ok(None);
        }
        let ids = cals::personal_of(&mut c, inst, user).await?;
        let r = (to_us(range.start), to_us(range.end));
        Ok(Some(busy_in(&mut c, inst, &ids, r, a.time_zone).await?))
    }

    /// Busy times of one calendar the caller sees (CalDAV free-busy-query): transparent
    /// and cancelled events do not count.
    pub async fn calendar_busy(
        &self,
        a: &Actor,
        cal: CalendarId,
        range: TimeRange,
    ) -> Result<Vec<Busy>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        let f = super::facts(a, &row).ok_or(CalendarError::NotFound)?;
        check(&a.token, ReadFreeBusy(f))?;
        let r = (to_us(range.start), to_us(range.end));
        busy_in(&mut c, a.token.instance(), &[cal], r, a.time_zone).await
    }

    /// Answers a VFREEBUSY request (the CalDAV outbox POST): busy times of each recipient
    /// of the caller's school, nothing for anyone else.
    pub async fn calendar_free_busy_request(
        &self,
        a: &Actor,
        text: &str,
    ) -> Result<FreeBusyAnswer, CalendarError> {
        let ical = ical::parse_one(text)?;
        let fb = ical
            .components
            .iter()
            .find(|c| c.component_type == Ty::VFreebusy)
            .ok_or_else(|| CalendarError::invalid("no VFREEBUSY in the request"))?;
        let (Some(start), Some(end)) = (utc_of(fb, &P::Dtstart), utc_of(fb, &P::Dtend)) else {
            return Err(CalendarError::invalid(
                "VFREEBUSY needs DTSTART and DTEND in UTC",
            ));
        };
        if end <= start || end - start > chrono::Duration::days(MAX_DAYS) {
            return Err(CalendarError::invalid(format!(
                "the range must be positive and at most {MAX_DAYS} days"
            )));
        }
        let range = TimeRange { start, end };
        let text_of = |p: &P| {
            fb.property(p)
                .and_then(|e| e.values.first())
                .and_then(|v| v.as_text())
                .map(str::to_owned)
        };
        let mut recipients = Vec::new();
        for e in fb
            .entries
            .iter()
            .filter(|e| e.name == P::Attendee)
            .take(MAX_INVITEES)
        {
            let Some(addr) = e
                .values
                .first()
                .and_then(|v| v.as_text())
                .map(itip::address)
            else {
                continue;
            };
            let busy = self.calendar_busy_of_address(a, &addr, range).await?;
            recipients.push((addr, busy));
        }
        Ok(FreeBusyAnswer {
            uid: text_of(&P::Uid).unwrap_or_default(),
            organizer: text_of(&P::Organizer)
                .map(|o| itip::address(&o))
                .unwrap_or_default(),
            range,
            recipients,
        })
    }
}
