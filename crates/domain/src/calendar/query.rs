//! Reading calendars by time: calendar-query, the instances of the views, free/busy, and
//! sync-collection (changes since a token).

use schulhof_authz::calendar::{CalOwner, CalendarFacts, ReadFreeBusy};
use schulhof_authz::check;
use schulhof_store::calendar::bookings;
use schulhof_store::calendar::calendars as cals;
use schulhof_store::calendar::objects::{self as store, ObjectRow};
use schulhof_store::{from_us, to_us};

use super::ical::{self, Occurrence};
use super::objects::may_read;
use super::{
    Busy, CalAccess, CalendarError, CalendarId, Changes, Component, FreeBusyOf, Instance,
    StoredObject, TimeRange, object_info,
};
use crate::Platform;
use crate::identity::Actor;

/// Instances one view returns at most.
const MAX_INSTANCES: usize = 5000;

/// The occurrences of a candidate inside [start, end): from the index for a single event,
/// by expansion for a recurring one. Unreadable stored data yields none.
fn occurrences(
    o: &ObjectRow,
    raw: Option<&str>,
    tz: chrono_tz::Tz,
    start: i64,
    end: i64,
) -> (Vec<Occurrence>, Option<calcard::icalendar::ICalendar>) {
    if !o.recurring {
        let occ = Occurrence {
            start: o.first_start,
            end: o.last_end.unwrap_or(i64::MAX),
            comp: 0,
        };
        let hit = ical::overlaps(&occ, start, end) || o.first_start == ical::NO_START;
        return (if hit { vec![occ] } else { vec![] }, None);
    }
    let Some(Ok(parsed)) = raw.map(ical::parse_one) else {
        return (vec![], None);
    };
    let occ = match ical::expand(&parsed, tz) {
        Ok((v, _)) => v
            .into_iter()
            .filter(|x| ical::overlaps(x, start, end))
            .collect(),
        Err(_) => vec![],
    };
    (occ, Some(parsed))
}

fn bounds(range: Option<TimeRange>) -> (i64, i64) {
    range.map_or((i64::MIN, i64::MAX), |r| (to_us(r.start), to_us(r.end)))
}

impl Platform {
    /// Objects of a calendar with an instance in `range` (all with `None`), optionally of
    /// one component kind, with their texts: the CalDAV calendar-query. The index picks the
    /// candidates; recurring ones are checked by expansion.
    pub async fn calendar_query(
        &self,
        a: &Actor,
        cal: CalendarId,
        range: Option<TimeRange>,
        component: Option<Component>,
    ) -> Result<Vec<StoredObject>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let (s, e) = bounds(range);
        let rows = store::in_range(&mut c, a.token.instance(), &[cal], s, e, true).await?;
        drop(c);
        let mut out = Vec::new();
        for (o, raw) in rows {
            if component.is_some_and(|k| k.as_str() != o.component) {
                continue;
            }
            let hit = range.is_none()
                || !occurrences(&o, raw.as_deref(), a.time_zone, s, e)
                    .0
                    .is_empty();
            if let (true, Some(raw)) = (hit, raw) {
                out.push(StoredObject {
                    info: object_info(&o),
                    raw,
                });
            }
        }
        Ok(out)
    }

    /// What changed since the sync token `since` (`None`: everything, as an initial sync).
    pub async fn calendar_changes(
        &self,
        a: &Actor,
        cal: CalendarId,
        since: Option<i64>,
    ) -> Result<Changes, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let since = since.unwrap_or(0);
        if since < 0 || since > row.modseq || (since > 0 && since < row.tombstone_floor) {
            return Err(CalendarError::InvalidSyncToken);
        }
        let inst = a.token.instance();
        let changed = store::changed_since(&mut c, inst, cal, since).await?;
        let deleted = if since == 0 {
            vec![]
        } else {
            store::deleted_since(&mut c, inst, cal, since).await?
        };
        // The token covers at least what was read (a change meanwhile comes again later).
        let modseq = changed.iter().map(|o| o.modseq).fold(row.modseq, i64::max);
        Ok(Changes {
            modseq,
            changed: changed.iter().map(object_info).collect(),
            deleted,
        })
    }

    /// The occurrences in `range` of every calendar the caller reads (or of those given),
    /// sorted by start, with each calendar's colour: the day, week, month and agenda views.
    pub async fn calendar_instances(
        &self,
        a: &Actor,
        only: Option<&[CalendarId]>,
        range: TimeRange,
    ) -> Result<Vec<Instance>, CalendarError> {
        let visible: Vec<_> = self
            .calendars(a)
            .await?
            .into_iter()
            .filter(|c| c.access >= CalAccess::Read)
            .filter(|c| only.is_none_or(|o| o.contains(&c.id)))
            .collect();
        let ids: Vec<CalendarId> = visible.iter().map(|c| c.id).collect();
        let (s, e) = bounds(Some(range));
        let mut c = self.db.read().await?;
        let rows = store::in_range(&mut c, a.token.instance(), &ids, s, e, true).await?;
        drop(c);
        let mut out = Vec::new();
        for (o, raw) in rows {
            let colour = visible
                .iter()
                .find(|c| c.id == o.calendar)
                .map(|c| c.colour.clone())
                .unwrap_or_default();
            let (occ, parsed) = occurrences(&o, raw.as_deref(), a.time_zone, s, e);
            for x in occ {
                let summary = match &parsed {
                    Some(p) => ical::summary_of(p, x.comp),
                    None => o.summary.clone(),
                };
                out.push(Instance {
                    calendar: o.calendar,
                    href: o.href.clone(),
                    uid: o.uid.clone(),
                    summary,
                    start: from_us(x.start.max(ical::NO_START)),
                    end: from_us(x.end.min(i64::MAX / 2)),
                    all_day: o.all_day,
                    recurring: o.recurring,
                    colour: colour.clone(),
                });
            }
        }
        out.sort_by(|x, y| {
            x.start
                .cmp(&y.start)
                .then_with(|| x.summary.cmp(&y.summary))
        });
        out.truncate(MAX_INSTANCES);
        Ok(out)
    }

    /// Busy intervals of a person (all personal calendars) or a resource in `range`: never
    /// titles or details, only inside the school, not for function accounts.
    pub async fn calendar_free_busy(
        &self,
        a: &Actor,
        of: FreeBusyOf,
        range: TimeRange,
    ) -> Result<Vec<Busy>, CalendarError> {
        let inst = a.token.instance();
        let (s, e) = bounds(Some(range));
        let mut c = self.db.read().await?;
        let mut busy = match of {
            FreeBusyOf::User(u) => {
                let f = CalendarFacts {
                    instance: inst,
                    owner: CalOwner::Personal(u),
                    shared: None,
                };
                check(&a.token, ReadFreeBusy(f))?;
                let ids = cals::personal_of(&mut c, inst, u).await?;
                let rows = store::in_range(&mut c, inst, &ids, s, e, true).await?;
                let mut v = Vec::new();
                for (o, raw) in rows.iter().filter(|(o, _)| !o.transparent) {
                    for x in occurrences(o, raw.as_deref(), a.time_zone, s, e).0 {
                        v.push(Busy {
                            start: from_us(x.start),
                            end: from_us(x.end),
                            tentative: false,
                        });
                    }
                }
                v
            }
            FreeBusyOf::Resource(r) => {
                let id = cals::id_of(&mut c, inst, "resource", None, Some(r))
                    .await?
                    .ok_or(CalendarError::NotFound)?;
                let (row, _) = self.calendar_row(&mut c, a, id).await?;
                let f = super::facts(a, &row).ok_or(CalendarError::NotFound)?;
                check(&a.token, ReadFreeBusy(f))?;
                bookings::busy(&mut c, inst, r, s, e)
                    .await?
                    .into_iter()
                    .map(|(bs, be, status)| Busy {
                        start: from_us(bs),
                        end: from_us(be),
                        tentative: status == "pending",
                    })
                    .collect()
            }
        };
        busy.sort_by_key(|b| (b.start, b.end));
        Ok(busy)
    }
}
