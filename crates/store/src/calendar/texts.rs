//! What a CalDAV calendar-query reads: the name, entity tag, UID, kind and text of each
//! matching object and nothing else. The occurrence index picks the objects inside the
//! database (one statement over the time index alone, exact overlap rule, each object once),
//! and the texts are read by id only for the hits the caller does not hold in memory.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::occurrences::{SPAN_US, push_calendars};
use super::{CalObjectId, CalendarId};
use crate::{AsConn, Conn, StoreError, on, push_in_list};

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

/// One object a time range reaches, as its occurrence rows carry it (migration 0063).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: CalObjectId,
    pub href: String,
    pub etag: String,
    pub component: String,
    /// µs UTC: the earliest start of any instance (the answer's order).
    pub first_start: i64,
    /// Reached by its open row (occurrences that were not stored): the reader expands the
    /// object to decide. An object may come both ways; then only expansion decides.
    pub open: bool,
}

type RawHit = (Uuid, String, String, String, i64, bool);

/// Objects of these calendars with a stored occurrence overlapping [start, end) (the
/// overlap rule of RFC 4791 §9.9 as the domain's `ical::overlaps` applies it), and those
/// whose open row starts before `end`; each once per way, in no particular order. One
/// statement that reads the time index only (it covers these columns), whatever the number
/// of objects: no occurrence row and no object is looked up. The hits come back as one row
/// (thousands of rows for a month of a busy calendar otherwise): a JSON array on SQLite,
/// whose driver hands every row from its worker thread to the caller through a small
/// channel, and columns of arrays on PostgreSQL.
pub async fn hits(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    (start, end): (i64, i64),
) -> Result<Vec<Hit>, StoreError> {
    if cals.is_empty() || start >= end {
        return Ok(vec![]);
    }
    let rows: Vec<RawHit> = match c.conn() {
        Conn::Sqlite(c) => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT json_group_array(json_array({}, href, etag, component, first_start, \
                 is_open)) FROM (",
                super::occurrences::hex_of("object_id")
            ));
            push_hits(&mut q, instance, cals, (start, end));
            q.push(")");
            let (json,): (String,) = q.build_query_as().fetch_one(&mut *c).await?;
            packed(&json)?
        }
        Conn::Pg(c) => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT array_agg(object_id), array_agg(href), array_agg(etag), \
                 array_agg(component), array_agg(first_start), array_agg(is_open) FROM (",
            );
            push_hits(&mut q, instance, cals, (start, end));
            q.push(") t");
            let cols: PgHits = q.build_query_as().fetch_one(&mut *c).await?;
            unpacked(cols)?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(id, href, etag, component, first_start, open)| Hit {
            id: CalObjectId(id),
            href,
            etag,
            component,
            first_start,
            open,
        })
        .collect())
}

/// PostgreSQL's hits as columns of arrays (one row, `NULL`s when none).
type PgHits = (
    Option<Vec<Uuid>>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<Vec<i64>>,
    Option<Vec<bool>>,
);

fn unpacked((ids, hrefs, etags, comps, starts, open): PgHits) -> Result<Vec<RawHit>, StoreError> {
    let ids = ids.unwrap_or_default();
    let (hrefs, etags, comps) = (
        hrefs.unwrap_or_default(),
        etags.unwrap_or_default(),
        comps.unwrap_or_default(),
    );
    let (starts, open) = (starts.unwrap_or_default(), open.unwrap_or_default());
    let n = ids.len();
    if [
        hrefs.len(),
        etags.len(),
        comps.len(),
        starts.len(),
        open.len(),
    ]
    .iter()
    .any(|l| *l != n)
    {
        return Err(StoreError::Corrupt(
            "calendar hits: arrays of unequal length".into(),
        ));
    }
    Ok(ids
        .into_iter()
        .zip(hrefs)
        .zip(etags)
        .zip(comps)
        .zip(starts)
        .zip(open)
        .map(|(((((id, href), etag), comp), start), open)| (id, href, etag, comp, start, open))
        .collect())
}

/// The hits' statement: recent starts through the time index, the few long rows and the
/// open rows through their own small index.
fn push_hits<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    instance: InstanceId,
    cals: &[CalendarId],
    (start, end): (i64, i64),
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let from = start.saturating_sub(SPAN_US);
    for part in 0..3 {
        q.push(if part > 0 { " UNION " } else { "" });
        q.push(
            "SELECT x.object_id, x.href, x.etag, x.component, x.first_start, x.is_open \
             FROM calendar_occurrences x WHERE x.calendar_id",
        );
        push_calendars(q, instance, cals);
        match part {
            0 => q
                .push(" AND x.starts_at >= ")
                .push_bind(from)
                .push(" AND x.starts_at < ")
                .push_bind(end),
            1 => q.push(" AND x.is_long AND x.starts_at < ").push_bind(from),
            _ => q
                .push(" AND x.is_long AND x.is_open AND x.starts_at < ")
                .push_bind(end),
        };
        if part < 2 {
            q.push(" AND x.ends_at >= ")
                .push_bind(start)
                .push(" AND NOT x.is_open AND (x.ends_at > ")
                .push_bind(start)
                .push(" OR (x.ends_at = x.starts_at AND x.starts_at >= ")
                .push_bind(start)
                .push("))");
        }
    }
}

/// What changed in a calendar since `since`, for a caller that holds the hits of a range
/// as they were at `since` (see [`hits`]): the objects written since (name and text), the
/// names deleted since, and the hits among the written objects — in one statement over the
/// modseq index and the occurrence rows of the written objects only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// Objects written since, with their texts: `(id, href, etag, uid, raw)`.
    pub written: Vec<(CalObjectId, String, String, String, String)>,
    /// Names deleted since.
    pub deleted: Vec<String>,
    /// The hits of the range among the written objects.
    pub hits: Vec<Hit>,
}

type RawDelta = (
    i64,
    Option<Uuid>,
    String,
    String,
    String,
    i64,
    bool,
    String,
    String,
);

/// [`Delta`] of one calendar since `since` for the range [start, end). The school is
/// checked on the calendar (its objects and occurrence rows belong to its school by
/// foreign key): a check on the objects' own `instance_id` made PostgreSQL combine the
/// school's whole primary key with the modseq index.
pub async fn delta(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    since: i64,
    (start, end): (i64, i64),
) -> Result<Delta, StoreError> {
    let pg = matches!(c.conn(), Conn::Pg(_));
    let rows: Vec<RawDelta> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT CAST(0 AS BIGINT), o.id, o.href, o.etag, o.component, o.first_start, FALSE, \
             o.uid, o.raw FROM calendar_objects o WHERE o.calendar_id");
        push_calendars(&mut q, instance, &[cal]);
        q.push(" AND o.modseq > ").push_bind(since);
        q.push(" UNION ALL SELECT CAST(1 AS BIGINT), NULL, t.href, '', '', CAST(0 AS BIGINT), \
                FALSE, '', '' FROM calendar_tombstones t WHERE t.calendar_id");
        push_calendars(&mut q, instance, &[cal]);
        q.push(" AND t.modseq > ").push_bind(since);
        if start < end {
            push_hits_among(&mut q, pg, instance, cal, since, (start, end));
        }
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    let mut d = Delta::default();
    for (kind, id, href, etag, component, first_start, open, uid, raw) in rows {
        match (kind, id) {
            (0, Some(id)) => d.written.push((CalObjectId(id), href, etag, uid, raw)),
            (1, _) => d.deleted.push(href),
            (2, Some(id)) => d.hits.push(Hit {
                id: CalObjectId(id),
                href,
                etag,
                component,
                first_start,
                open,
            }),
            _ => {
                return Err(StoreError::Corrupt(
                    "calendar delta: a row without id".into(),
                ));
            }
        }
    }
    Ok(d)
}

/// The part of [`delta`] that finds the hits among the objects written after `since`: the
/// rows [`push_hits`] would return for them, read by primary key per object instead of the
/// calendar's time range. PostgreSQL is held to that order by a lateral subquery (without
/// statistics it scanned every occurrence row of the school).
fn push_hits_among<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    pg: bool,
    instance: InstanceId,
    cal: CalendarId,
    since: i64,
    (start, end): (i64, i64),
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let from = start.saturating_sub(SPAN_US);
    q.push(
        " UNION ALL SELECT DISTINCT CAST(2 AS BIGINT), h.object_id, h.href, h.etag, \
         h.component, h.first_start, h.is_open, '', '' FROM (SELECT w.id FROM calendar_objects w \
         WHERE w.calendar_id",
    );
    push_calendars(q, instance, &[cal]);
    q.push(" AND w.modseq > ").push_bind(since).push(") w");
    q.push(if pg {
        " CROSS JOIN LATERAL (SELECT x.object_id, x.href, x.etag, x.component, \
         x.first_start, x.is_open FROM calendar_occurrences x WHERE"
    } else {
        " JOIN calendar_occurrences h ON h.instance_id = "
    });
    let x = if pg { "x" } else { "h" };
    if pg {
        q.push(" x.instance_id = ")
            .push_bind(instance.0)
            .push(" AND x.object_id = w.id AND");
    } else {
        q.push_bind(instance.0)
            .push(" AND h.object_id = w.id WHERE");
    }
    // A stored occurrence overlapping the range (parts 1 and 2 of `push_hits`), or an open
    // row starting before its end (part 3).
    q.push(format!(" ((NOT {x}.is_open AND {x}.starts_at < "))
        .push_bind(end)
        .push(format!(" AND ({x}.starts_at >= "))
        .push_bind(from)
        .push(format!(" OR {x}.is_long) AND {x}.ends_at >= "))
        .push_bind(start)
        .push(format!(" AND ({x}.ends_at > "))
        .push_bind(start)
        .push(format!(
            " OR ({x}.ends_at = {x}.starts_at AND {x}.starts_at >= "
        ))
        .push_bind(start)
        .push(format!(
            "))) OR ({x}.is_long AND {x}.is_open AND {x}.starts_at < "
        ))
        .push_bind(end)
        .push("))");
    if pg {
        // OFFSET 0 keeps the subquery from being flattened into a join.
        q.push(" OFFSET 0) h");
    }
}

/// The rows of SQLite's JSON array: `[id (hex), href, etag, component, first start, open]`.
fn packed(json: &str) -> Result<Vec<RawHit>, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("calendar hits: {e}"));
    let rows: Vec<(String, String, String, String, i64, i64)> =
        serde_json::from_str(json).map_err(|e| bad(&e))?;
    rows.into_iter()
        .map(|(id, href, etag, component, first_start, open)| {
            let id = Uuid::parse_str(&id).map_err(|e| bad(&e))?;
            Ok((id, href, etag, component, first_start, open != 0))
        })
        .collect()
}

/// The ETag, UID and text of these objects (those of the school only), in statements of up
/// to 4,000: the texts of a calendar-query's hits that are not in memory.
pub async fn texts_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[CalObjectId],
) -> Result<Vec<(CalObjectId, String, String, String)>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(4000) {
        let rows: Vec<(Uuid, String, String, String)> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT id, etag, uid, raw FROM calendar_objects WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(
            rows.into_iter()
                .map(|(id, etag, uid, raw)| (CalObjectId(id), etag, uid, raw)),
        );
    }
    Ok(out)
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
