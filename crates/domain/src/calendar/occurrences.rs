//! The occurrence index: what [`super::ical::parse`] expanded at ingest is stored per object,
//! so the time-range readers (calendar-query, the views, free/busy) look occurrences up by
//! time instead of parsing and expanding every recurring series on every request.
//!
//! At most [`STORED`] occurrences are kept per object; an endless or longer series (and an
//! object without any dated occurrence) ends with one open row from where storing stopped,
//! and a reader whose range reaches that row expands the object itself, as before the index.

use calcard::icalendar::{ICalendar, ICalendarProperty as P};
use schulhof_store::AsConn;
use schulhof_store::calendar::objects::ObjectRow;
use schulhof_store::calendar::occurrences::{self as store, Head, NewOccurrence, OccurrenceRow};
use schulhof_store::calendar::reindex;
use schulhof_store::instances;
use schulhof_types::InstanceId;

use super::CalendarError;
use super::ical::{self, Occurrence, Parsed};
use crate::Platform;

/// Occurrences stored per object: a weekly series for 19 years, a daily one for 2.7.
pub const STORED: usize = 1000;
/// Objects the indexing job reads per statement.
const JOB_BATCH: i64 = 200;

fn text_of(ical: &ICalendar, comp: u32, p: &P) -> Option<String> {
    ical.components
        .get(comp as usize)
        .and_then(|c| c.property(p))
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
        .map(str::to_owned)
}

/// The rows to store for a parsed object.
pub(crate) fn rows_of(p: &Parsed) -> Vec<NewOccurrence> {
    let occ = &p.occurrences;
    let kept = occ.len().min(STORED);
    let mut out: Vec<NewOccurrence> = occ[..kept]
        .iter()
        .map(|o| NewOccurrence {
            start: o.start,
            end: o.end,
            open: false,
            summary: text_of(&p.ical, o.comp, &P::Summary).filter(|s| *s != p.summary),
            location: text_of(&p.ical, o.comp, &P::Location).unwrap_or_default(),
        })
        .collect();
    // Open end: an endless rule, more steps than expanded, more occurrences than kept, or
    // none with a date at all (a task without dates matches every range).
    let open_from = if occ.is_empty() {
        Some(ical::NO_START)
    } else if kept < occ.len() {
        Some(occ[kept].start)
    } else if p.last_end.is_none() {
        occ.last().map(|o| o.start + 1)
    } else {
        None
    };
    if let Some(start) = open_from {
        out.push(NewOccurrence {
            start,
            end: i64::MAX / 2,
            open: true,
            summary: None,
            location: String::new(),
        });
    }
    out
}

/// Keeps the index of a stored object current (called by the one ingest path).
pub(crate) async fn index(
    c: &mut impl AsConn,
    inst: InstanceId,
    o: &ObjectRow,
    p: &Parsed,
) -> Result<(), CalendarError> {
    let head = Head {
        href: &o.href,
        etag: &o.etag,
        component: &o.component,
        first_start: o.first_start,
    };
    store::replace(c, inst, o.calendar, o.id, head, &rows_of(p)).await?;
    Ok(())
}

/// Whether a stored (not open) occurrence overlaps [start, end) by the CalDAV rule.
pub(crate) fn hits(r: &OccurrenceRow, start: i64, end: i64) -> bool {
    !r.open
        && ical::overlaps(
            &Occurrence {
                start: r.start,
                end: r.end,
                comp: 0,
            },
            start,
            end,
        )
}

impl Platform {
    /// Indexes objects stored before the occurrence index existed; returns how many. Runs
    /// at start and hourly with the other jobs; objects written since are indexed at ingest.
    pub async fn system_index_calendar_occurrences(&self) -> Result<usize, CalendarError> {
        let mut done = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let batch = store::unindexed(&mut tx, JOB_BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let mut zones = std::collections::HashMap::new();
            let mut touched: std::collections::BTreeMap<_, Vec<_>> = Default::default();
            for u in &batch {
                let inst = &u.instance;
                if !zones.contains_key(inst) {
                    let tz = instances::get(&mut tx, *inst)
                        .await?
                        .map_or(chrono_tz::Europe::Berlin, |i| {
                            crate::school_settings::stored_time_zone(&i.time_zone)
                        });
                    zones.insert(*inst, tz);
                }
                let tz = zones[inst];
                let raw = &u.raw;
                // Unreadable stored text still gets an open row: readers then treat it as
                // they did before the index (it matches nothing).
                let rows = match ical::parse(raw.as_bytes(), tz) {
                    Ok(p) => rows_of(&p),
                    Err(_) => vec![NewOccurrence {
                        start: ical::NO_START,
                        end: i64::MAX / 2,
                        open: true,
                        summary: None,
                        location: String::new(),
                    }],
                };
                store::replace(&mut tx, *inst, u.calendar, u.id, u.head(), &rows).await?;
                touched
                    .entry((u.instance, u.calendar))
                    .or_default()
                    .push(u.id);
            }
            // Kept hits and answers of these calendars are read anew (see `kept`).
            for ((inst, cal), ids) in &touched {
                reindex::touch(&mut tx, *inst, *cal, ids).await?;
            }
            tx.commit().await?;
            done += batch.len();
        }
        // Objects an older reading of the text indexed (migration 0051).
        done += self.system_reindex_calendar_objects().await?;
        Ok(done)
    }
}
