//! Reading calendars by time: calendar-query, the instances of the views, free/busy, and
//! sync-collection (changes since a token).

use schulhof_authz::calendar::{CalOwner, CalendarFacts, ReadFreeBusy};
use schulhof_authz::check;
use schulhof_store::calendar::CalObjectId;
use schulhof_store::calendar::bookings;
use schulhof_store::calendar::calendars as cals;
use schulhof_store::calendar::calendars::CalendarRow;
use schulhof_store::calendar::objects::{self as store, ObjectRow};
use schulhof_store::calendar::occurrences::{self as occ_store, OccurrenceRow};
use schulhof_store::calendar::texts::{self, Hit, TextRow};
use schulhof_store::{AsConn, from_us, to_us};
use schulhof_types::InstanceId;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::ical::{self, Occurrence};
use super::kept::{self, Kept};
use super::objects::may_read;
use super::occurrences::hits;
use super::{
    Busy, CalendarError, CalendarId, Changes, Component, FreeBusyOf, Instance, QueryHit, TimeRange,
    object_info,
};
use crate::Platform;
use crate::identity::Actor;

/// The occurrences of a candidate inside [start, end): from the index for a single event,
/// by expansion for a recurring one. Unreadable stored data yields none.
pub(super) fn occurrences(
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

/// What the occurrence index found for a range: the objects (texts when asked, and always
/// for open ones), each with its stored occurrences in the range; `open` objects reach the
/// range with occurrences that were not stored and are expanded by the caller.
struct Found {
    objects: Vec<(ObjectRow, Option<String>)>,
    occ: std::collections::HashMap<CalObjectId, Vec<OccurrenceRow>>,
    open: std::collections::HashSet<CalObjectId>,
}

/// Two statements (three when an open series reaches the range), whatever the number of
/// calendars and objects.
async fn indexed(
    c: &mut impl AsConn,
    inst: InstanceId,
    cals: &[CalendarId],
    start: i64,
    end: i64,
    raw: bool,
) -> Result<Found, CalendarError> {
    let rows = occ_store::in_range(c, inst, cals, start, end).await?;
    let mut occ: std::collections::HashMap<CalObjectId, Vec<OccurrenceRow>> = Default::default();
    let mut open = std::collections::HashSet::new();
    for r in rows {
        if r.open {
            open.insert(r.object);
        } else if hits(&r, start, end) {
            occ.entry(r.object).or_default().push(r);
        }
    }
    let closed: Vec<CalObjectId> = occ.keys().filter(|k| !open.contains(k)).copied().collect();
    let mut objects = store::by_ids(c, inst, &closed, raw).await?;
    if !open.is_empty() {
        let ids: Vec<CalObjectId> = open.iter().copied().collect();
        objects.extend(store::by_ids(c, inst, &ids, true).await?);
    }
    objects.sort_by_key(|(o, _)| (o.first_start, o.id));
    Ok(Found { objects, occ, open })
}

fn bounds(range: Option<TimeRange>) -> (i64, i64) {
    range.map_or((i64::MIN, i64::MAX), |r| (to_us(r.start), to_us(r.end)))
}

/// Texts read with a delta: object → (ETag, UID, text).
type Fresh = HashMap<CalObjectId, (String, String, String)>;

/// The hits of a range: kept in memory for the calendar's state (see `kept`), brought up to
/// date by what changed since (one small statement), or read from the time index whole
/// (one statement) when nothing is kept, the kept state is too old for the tombstones, or
/// too much changed. Texts of objects written since the kept state come along (by id).
async fn current_hits(
    c: &mut impl AsConn,
    inst: InstanceId,
    cal: &CalendarRow,
    (s, e): (i64, i64),
) -> Result<(Vec<Hit>, Fresh), CalendarError> {
    let key = (inst, cal.id, s, e);
    let usable = kept::get(&key).filter(|k| {
        k.modseq <= cal.modseq
            && k.modseq >= cal.tombstone_floor
            && cal.modseq - k.modseq <= kept::MOST_CHANGES
    });
    let Some(old) = usable else {
        let hits = texts::hits(c, inst, &[cal.id], (s, e)).await?;
        let out = hits.clone();
        kept::put(
            key,
            Kept {
                modseq: cal.modseq,
                hits: Arc::new(hits),
            },
        );
        return Ok((out, HashMap::new()));
    };
    if old.modseq == cal.modseq {
        return Ok(((*old.hits).clone(), HashMap::new()));
    }
    let d = texts::delta(c, inst, cal.id, old.modseq, (s, e)).await?;
    let gone: HashSet<&str> = d
        .written
        .iter()
        .map(|w| w.1.as_str())
        .chain(d.deleted.iter().map(String::as_str))
        .collect();
    let mut hits: Vec<Hit> = old
        .hits
        .iter()
        .filter(|h| !gone.contains(h.href.as_str()))
        .cloned()
        .collect();
    hits.extend(d.hits);
    // The state read: every change up to the calendar's modseq is in the delta (a write
    // raises the modseq in the transaction that writes the object); later ones come again.
    kept::put(
        key,
        Kept {
            modseq: cal.modseq,
            hits: Arc::new(hits.clone()),
        },
    );
    let texts = d
        .written
        .into_iter()
        .map(|(id, _, etag, uid, raw)| (id, (etag, uid, raw)))
        .collect();
    Ok((hits, texts))
}

/// The objects of a calendar with an instance in [s, e): the hits (see `current_hits`), the
/// texts when asked (one more statement for those the delta did not bring), and the objects
/// whose open row reaches the range expanded here (one more).
/// Without `text` no text is read and `uid` and `raw` stay empty (but for open objects and
/// objects written since the kept state, whose texts were read anyway).
async fn in_range(
    c: &mut impl AsConn,
    inst: InstanceId,
    cal: &CalendarRow,
    (s, e): (i64, i64),
    (text, tz): (bool, chrono_tz::Tz),
) -> Result<Vec<TextRow>, CalendarError> {
    let (found, mut fresh) = current_hits(c, inst, cal, (s, e)).await?;
    let open: HashSet<CalObjectId> = found.iter().filter(|h| h.open).map(|h| h.id).collect();
    // Expansion alone decides for objects reached by an open row (as before the index).
    let mut rows: Vec<TextRow> = found
        .into_iter()
        .filter(|h| !open.contains(&h.id))
        .map(|h| {
            let (uid, raw) = match fresh.remove(&h.id) {
                // The text read with the delta, if it is the one the hit names.
                Some((etag, uid, raw)) if etag == h.etag => (uid, raw),
                _ => (String::new(), String::new()),
            };
            TextRow {
                id: h.id,
                href: h.href,
                etag: h.etag,
                uid,
                component: h.component,
                first_start: h.first_start,
                raw,
            }
        })
        .collect();
    if text {
        with_texts(c, inst, &mut rows).await?;
    }
    if !open.is_empty() {
        let ids: Vec<CalObjectId> = open.into_iter().collect();
        for (o, raw) in store::by_ids(c, inst, &ids, true).await? {
            let Some(raw) = raw else { continue };
            if !occurrences(&o, Some(&raw), tz, s, e).0.is_empty() {
                rows.push(TextRow {
                    id: o.id,
                    href: o.href,
                    etag: o.etag,
                    uid: o.uid,
                    component: o.component,
                    first_start: o.first_start,
                    raw: if text { raw } else { String::new() },
                });
            }
        }
    }
    Ok(rows)
}

/// Fills in UID and text of the rows without them, in one statement by id. An object
/// written between the hits read and this one answers with the ETag of the text read; one
/// deleted meanwhile is left out.
async fn with_texts(
    c: &mut impl AsConn,
    inst: InstanceId,
    rows: &mut Vec<TextRow>,
) -> Result<(), CalendarError> {
    let missing: Vec<CalObjectId> = rows
        .iter()
        .filter(|r| r.raw.is_empty())
        .map(|r| r.id)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut read: HashMap<CalObjectId, (String, String, String)> =
        texts::texts_of(c, inst, &missing)
            .await?
            .into_iter()
            .map(|(id, etag, uid, raw)| (id, (etag, uid, raw)))
            .collect();
    rows.retain_mut(|r| {
        if !r.raw.is_empty() {
            return true;
        }
        match read.remove(&r.id) {
            Some((etag, uid, raw)) => {
                r.etag = etag;
                r.uid = uid;
                r.raw = raw;
                true
            }
            None => false,
        }
    });
    Ok(())
}

impl Platform {
    /// Objects of a calendar with an instance in `range` (all with `None`), optionally of
    /// one component kind, with their texts, by first start: the CalDAV calendar-query.
    /// The occurrence index picks the objects in the database (or the hits kept for the
    /// calendar's state, brought up to date by what changed since); only objects whose open
    /// row reaches the range (occurrences not stored) are expanded here. Two statements
    /// after the calendar's (one more when an open series reaches the range).
    pub async fn calendar_query(
        &self,
        a: &Actor,
        cal: CalendarId,
        range: Option<TimeRange>,
        component: Option<Component>,
    ) -> Result<Vec<QueryHit>, CalendarError> {
        self.query_hits(a, cal, (range, component), true).await
    }

    /// [`Platform::calendar_query`] without the texts: an answer of ETags only, which
    /// clients ask for to learn what changed, or one whose texts the caller keeps. The
    /// texts are not read: `raw` and `uid` stay empty but for open series (expanded here)
    /// and objects written since the calendar's kept hits, whose texts came with the
    /// changes (one statement after the calendar's, none when it did not change).
    pub async fn calendar_query_tags(
        &self,
        a: &Actor,
        cal: CalendarId,
        range: Option<TimeRange>,
        component: Option<Component>,
    ) -> Result<Vec<QueryHit>, CalendarError> {
        self.query_hits(a, cal, (range, component), false).await
    }

    async fn query_hits(
        &self,
        a: &Actor,
        cal: CalendarId,
        (range, component): (Option<TimeRange>, Option<Component>),
        text: bool,
    ) -> Result<Vec<QueryHit>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let inst = a.token.instance();
        let (s, e) = bounds(range);
        let mut rows = match range {
            // Every object: no index needed.
            None => texts::all(&mut c, inst, &[cal], text).await?,
            Some(_) if s >= e => vec![],
            Some(_) => in_range(&mut c, inst, &row, (s, e), (text, a.time_zone)).await?,
        };
        // The texts carry their attachments as ATTACH, as GET and multiget answer them.
        let att = match text {
            true => Some(self.calendar_attachments_within(&mut c, inst, &row).await?),
            false => None,
        };
        drop(c);
        rows.sort_unstable_by_key(|t| (t.first_start, t.id));
        Ok(rows
            .into_iter()
            .filter(|t| component.is_none_or(|k| k.as_str() == t.component))
            .map(|t| QueryHit {
                component: Component::parse(&t.component),
                raw: match &att {
                    Some(att) if !t.raw.is_empty() => att.apply(&t.href, t.raw),
                    _ => t.raw,
                },
                href: t.href,
                etag: t.etag,
                uid: t.uid,
            })
            .collect())
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
    /// sorted by start, with each calendar's colour: the day, week, month and agenda views
    /// (see [`Platform::calendar_view`]).
    pub async fn calendar_instances(
        &self,
        a: &Actor,
        only: Option<&[CalendarId]>,
        range: TimeRange,
    ) -> Result<Vec<Instance>, CalendarError> {
        let shown = |c: &super::CalendarInfo| only.is_none_or(|o| o.contains(&c.id));
        Ok(self.calendar_view(a, shown, range).await?.1)
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
                let found = indexed(&mut c, inst, &ids, s, e, false).await?;
                let mut v = Vec::new();
                let busy = |start, end| Busy {
                    start: from_us(start),
                    end: from_us(end),
                    tentative: false,
                };
                for (o, raw) in found.objects.iter().filter(|(o, _)| !o.transparent) {
                    if found.open.contains(&o.id) {
                        let occ = occurrences(o, raw.as_deref(), a.time_zone, s, e).0;
                        v.extend(occ.iter().map(|x| busy(x.start, x.end)));
                    } else {
                        let occ = found.occ.get(&o.id).into_iter().flatten();
                        v.extend(occ.map(|x| busy(x.start, x.end)));
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
