//! What a CalDAV calendar-query reads: the name, entity tag, UID, kind and text of each
//! matching object and nothing else. The occurrence index picks the objects inside the
//! database (one statement, exact overlap rule, each object once), so a month of a large
//! calendar passes one narrow row per object instead of every occurrence row plus every
//! column of every object.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::occurrences::{SPAN_US, push_calendars};
use super::{CalObjectId, CalendarId};
use crate::{AsConn, StoreError, on, push_in_list};

/// One matching object with only what the answer and its prop-filters need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextRow {
    pub id: CalObjectId,
    pub href: String,
    pub etag: String,
    pub uid: String,
    pub component: String,
    /// µs UTC: the earliest start of any instance (the answer's order).
    pub first_start: i64,
    pub raw: String,
}

type RawText = (Uuid, String, String, String, String, i64, String);

fn row((id, href, etag, uid, component, first_start, raw): RawText) -> TextRow {
    TextRow {
        id: CalObjectId(id),
        href,
        etag,
        uid,
        component,
        first_start,
        raw,
    }
}

/// Objects of these calendars with a stored (not open) occurrence overlapping
/// [start, end), each once, in no particular order. One statement. (The occurrences carry
/// their object's calendar, which an object never changes.) Without `text`, `raw` is left
/// empty and the texts are not read (an answer of ETags only).
pub async fn in_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    (start, end): (i64, i64),
    text: bool,
) -> Result<Vec<TextRow>, StoreError> {
    if cals.is_empty() || start >= end {
        return Ok(vec![]);
    }
    let from = start.saturating_sub(SPAN_US);
    let rows: Vec<RawText> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT o.id, o.href, o.etag, o.uid, o.component, o.first_start, ");
        q.push(if text { "o.raw" } else { "''" }).push(" FROM calendar_objects o WHERE o.instance_id = ");
        q.push_bind(instance.0).push(" AND o.id IN (");
        // Recent starts through the time index, and the few long rows through their own;
        // the overlap rule of RFC 4791 §9.9 as the domain's `ical::overlaps` applies it.
        for long in [false, true] {
            q.push(if long { " UNION ALL " } else { "" });
            q.push("SELECT x.object_id FROM calendar_occurrences x WHERE x.calendar_id");
            push_calendars(&mut q, instance, cals);
            if long {
                q.push(" AND x.is_long AND x.starts_at < ").push_bind(from);
            } else {
                q.push(" AND x.starts_at >= ").push_bind(from)
                    .push(" AND x.starts_at < ").push_bind(end);
            }
            q.push(" AND x.ends_at >= ").push_bind(start)
                .push(" AND NOT x.is_open AND (x.ends_at > ").push_bind(start)
                .push(" OR (x.ends_at = x.starts_at AND x.starts_at >= ").push_bind(start)
                .push("))");
        }
        q.push(")");
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(rows.into_iter().map(row).collect())
}

/// Objects of these calendars whose open row (occurrences that were not stored) starts
/// before `end`: the reader expands them itself. Through the small index of long rows.
pub async fn open_before(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    end: i64,
) -> Result<Vec<CalObjectId>, StoreError> {
    if cals.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(Uuid,)> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT DISTINCT object_id FROM calendar_occurrences WHERE calendar_id");
        push_calendars(&mut q, instance, cals);
        q.push(" AND is_long AND is_open AND starts_at < ").push_bind(end);
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(rows.into_iter().map(|(id,)| CalObjectId(id)).collect())
}

/// Every object of these calendars (a calendar-query without a time range); without
/// `text` as [`in_range`].
pub async fn all(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    text: bool,
) -> Result<Vec<TextRow>, StoreError> {
    if cals.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<RawText> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new("SELECT id, href, etag, uid, component, first_start, ");
        q.push(if text { "raw" } else { "''" }).push(" FROM calendar_objects WHERE instance_id = ");
        q.push_bind(instance.0).push(" AND calendar_id");
        push_in_list(&mut q, cals.iter().map(|c| c.0));
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(rows.into_iter().map(row).collect())
}
