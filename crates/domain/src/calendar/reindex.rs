//! The re-index job: objects whose index columns an older reading of their text wrote
//! (before migration 0051 a VTIMEZONE's yearly rules made nearly every object recurring and
//! endless) get columns and occurrence rows recomputed from the stored text. Leased claims
//! and a write-back that checks the ETag make it safe on any number of nodes and against
//! puts running meanwhile; running it again changes nothing.

use std::collections::{BTreeMap, HashMap};

use schulhof_store::calendar::occurrences::{self as occ_store, Head, NewOccurrence};
use schulhof_store::calendar::reindex::{self as store, Columns, Stale};
use schulhof_store::calendar::{CalObjectId, CalendarId};
use schulhof_store::{AsConn, instances, to_us};
use schulhof_types::InstanceId;

use super::CalendarError;
use super::ical::{self, Parsed};
use super::occurrences::rows_of;
use crate::Platform;

/// Objects claimed per batch.
const BATCH: i64 = 200;
/// A claim older than this is taken over (the node holding it died).
const LEASE_US: i64 = 10 * 60 * 1_000_000;

/// The columns and occurrence rows of a text; unreadable text matches nothing, as before.
fn recompute(raw: &str, tz: chrono_tz::Tz) -> (Columns, Vec<NewOccurrence>) {
    match ical::parse(raw.as_bytes(), tz) {
        Ok(p) => (columns(&p), rows_of(&p)),
        Err(_) => (
            Columns {
                first_start: ical::NO_START,
                last_end: None,
                recurring: false,
                all_day: false,
                transparent: false,
            },
            vec![NewOccurrence {
                start: ical::NO_START,
                end: i64::MAX / 2,
                open: true,
                summary: None,
                location: String::new(),
            }],
        ),
    }
}

fn columns(p: &Parsed) -> Columns {
    Columns {
        first_start: p.first_start,
        last_end: p.last_end,
        recurring: p.recurring,
        all_day: p.all_day,
        transparent: p.transparent,
    }
}

/// The school's zone (floating times and dates are read in it).
async fn zone(c: &mut impl AsConn, inst: InstanceId) -> Result<chrono_tz::Tz, CalendarError> {
    Ok(instances::get(c, inst)
        .await?
        .map_or(chrono_tz::Europe::Berlin, |i| {
            crate::school_settings::stored_time_zone(&i.time_zone)
        }))
}

impl Platform {
    /// Re-indexes every object an older reading indexed; returns how many this node wrote.
    /// Runs with the occurrence index job (at start and hourly).
    pub async fn system_reindex_calendar_objects(&self) -> Result<usize, CalendarError> {
        let mut done = 0;
        let mut zones: HashMap<InstanceId, chrono_tz::Tz> = HashMap::new();
        loop {
            let now = to_us(self.now());
            // The claim commits on its own: the lease must be visible to other nodes.
            let mut tx = self.db.begin().await?;
            let batch = store::claim(&mut tx, now, now - LEASE_US, BATCH).await?;
            tx.commit().await?;
            if batch.is_empty() {
                return Ok(done);
            }
            done += self.reindex_batch(&batch, &mut zones).await?;
        }
    }

    /// One transaction for a claimed batch; each calendar that changed gets a new sync
    /// token and its re-indexed objects that modseq, so answers and hits kept under the old
    /// one are not served again.
    async fn reindex_batch(
        &self,
        batch: &[Stale],
        zones: &mut HashMap<InstanceId, chrono_tz::Tz>,
    ) -> Result<usize, CalendarError> {
        let mut tx = self.db.begin().await?;
        let mut touched: BTreeMap<(InstanceId, CalendarId), Vec<CalObjectId>> = BTreeMap::new();
        let mut written = 0;
        for s in batch {
            let tz = match zones.get(&s.instance) {
                Some(tz) => *tz,
                None => {
                    let tz = zone(&mut tx, s.instance).await?;
                    *zones.entry(s.instance).or_insert(tz)
                }
            };
            let (cols, rows) = recompute(&s.raw, tz);
            if store::write(&mut tx, s, cols).await? {
                let head = Head {
                    href: &s.href,
                    etag: &s.etag,
                    component: &s.component,
                    first_start: cols.first_start,
                };
                occ_store::replace(&mut tx, s.instance, s.calendar, s.id, head, &rows).await?;
                touched
                    .entry((s.instance, s.calendar))
                    .or_default()
                    .push(s.id);
                written += 1;
            }
        }
        for ((inst, cal), ids) in &touched {
            store::touch(&mut tx, *inst, *cal, ids).await?;
        }
        tx.commit().await?;
        Ok(written)
    }
}
