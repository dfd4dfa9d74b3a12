//! Re-indexing calendar objects whose index columns an older reading of the text wrote
//! (migration 0051): claimed in batches under a lease, so any number of nodes may run the
//! job, and written back only while the object is still the text that was read.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::{CalObjectId, CalendarId};
use crate::{AsConn, StoreError, on};

/// The reading of the text that the ingest path writes today. Raise it when the domain's
/// parser changes what the index columns mean; the job then recomputes older objects.
/// 1: VTIMEZONE rules no longer make an object recurring and endless.
/// 2: occurrence rows carry the object's name, ETag, component and first start (migration
/// 0063 fills them for version 1 objects and marks those 2; a node still at 1 writing after
/// the migration leaves them empty, and the job rewrites its objects).
pub const INDEX_VERSION: i64 = 2;

/// One claimed object: where it is, its name, the ETag and component of the text read,
/// and the text.
#[derive(Clone, Debug)]
pub struct Stale {
    pub instance: InstanceId,
    pub calendar: CalendarId,
    pub id: CalObjectId,
    pub href: String,
    pub etag: String,
    pub component: String,
    pub raw: String,
}

/// Claims up to `limit` objects indexed by an older reading whose lease is free or older
/// than `stale_before` (µs), marking them with `now`. Another node's concurrent claim
/// re-checks the lease on each row it waits for, so no object is claimed twice.
pub async fn claim(
    c: &mut impl AsConn,
    now: i64,
    stale_before: i64,
    limit: i64,
) -> Result<Vec<Stale>, StoreError> {
    let rows: Vec<(Uuid, Uuid, Uuid, String, String, String, String)> = on!(c, c => sqlx::query_as(
        "UPDATE calendar_objects SET index_claimed_at = $1
          WHERE index_version < $2 AND (index_claimed_at IS NULL OR index_claimed_at < $3)
            AND id IN (SELECT id FROM calendar_objects WHERE index_version < $2
                         AND (index_claimed_at IS NULL OR index_claimed_at < $3)
                       ORDER BY id LIMIT $4)
          RETURNING instance_id, calendar_id, id, href, etag, component, raw")
        .bind(now).bind(INDEX_VERSION).bind(stale_before).bind(limit)
        .fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(i, cal, id, href, etag, component, raw)| Stale {
            instance: InstanceId(i),
            calendar: CalendarId(cal),
            id: CalObjectId(id),
            href,
            etag,
            component,
            raw,
        })
        .collect())
}

/// The index columns recomputed from an object's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub first_start: i64,
    pub last_end: Option<i64>,
    pub recurring: bool,
    pub all_day: bool,
    pub transparent: bool,
}

/// Writes the recomputed columns and releases the lease, only if the object still has the
/// text that was read (`etag`) and still needs it. Whether it was written: `false` when a
/// put replaced the text meanwhile (the put indexed it) or another node was first.
pub async fn write(c: &mut impl AsConn, s: &Stale, cols: Columns) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE calendar_objects SET first_start = $4, last_end = $5, recurring = $6,
             all_day = $7, transparent = $8, index_version = $9, index_claimed_at = NULL
          WHERE instance_id = $1 AND id = $2 AND etag = $3 AND index_version < $9")
        .bind(s.instance.0).bind(s.id.0).bind(&s.etag).bind(cols.first_start)
        .bind(cols.last_end).bind(cols.recurring).bind(cols.all_day).bind(cols.transparent)
        .bind(INDEX_VERSION)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many objects still wait for the re-index (all schools).
pub async fn waiting(c: &mut impl AsConn) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM calendar_objects WHERE index_version < $1")
        .bind(INDEX_VERSION).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// Marks an object as indexed by an older reading (tests: an object as a node before
/// migration 0051 stored it).
pub async fn mark_old(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CalObjectId,
    cols: Columns,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE calendar_objects SET first_start = $3, last_end = $4, recurring = $5,
             all_day = $6, transparent = $7, index_version = 0, index_claimed_at = NULL
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(cols.first_start).bind(cols.last_end)
        .bind(cols.recurring).bind(cols.all_day).bind(cols.transparent)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Empties the copied columns of a calendar's occurrence rows and marks its objects as
/// indexed by reading 1 (tests: what a node of reading 1 writes after migration 0063).
pub async fn spoil_heads(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE calendar_occurrences SET href = '', etag = '', component = '', first_start = 0
          WHERE calendar_id = $1 AND instance_id = $2")
        .bind(cal.0).bind(instance.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "UPDATE calendar_objects SET index_version = 1 WHERE calendar_id = $1 AND instance_id = $2")
        .bind(cal.0).bind(instance.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Gives these objects of a calendar a new modseq (the calendar's, raised once): their
/// occurrence rows were rewritten, so whoever keeps a range's hits by modseq reads them
/// again, and a syncing client is told (their ETags stay).
pub async fn touch(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    ids: &[CalObjectId],
) -> Result<(), StoreError> {
    let modseq = super::calendars::bump(c, instance, cal).await?;
    for chunk in ids.chunks(1000) {
        on!(c, c => {
            let mut q = sqlx::QueryBuilder::new("UPDATE calendar_objects SET modseq = ");
            q.push_bind(modseq).push(" WHERE instance_id = ").push_bind(instance.0)
                .push(" AND calendar_id = ").push_bind(cal.0).push(" AND id");
            crate::push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
