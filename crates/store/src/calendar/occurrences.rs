//! The occurrence index of calendar objects: every occurrence expanded at ingest (up to a
//! cap per object, the rest as one "open" row), so a time-range query reads rows by time
//! instead of expanding recurring series on each request.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::{CalObjectId, CalendarId};
use crate::{AsConn, Conn, StoreError, on, push_in_list};

/// How far a reader looks back for occurrences that started before its range: rows longer
/// than this are marked `is_long` and found through their own index.
pub const SPAN_US: i64 = 8 * 24 * 3600 * 1_000_000;

/// ` IN (…)`: these calendars, those of the school only. The school is checked on the
/// calendars rather than on the occurrence rows: an `instance_id = ?` there made SQLite scan
/// the school's every occurrence by primary key instead of the time index once more than
/// two calendars were asked (the month view of 30 calendars read 73,000 rows).
pub(crate) fn push_calendars<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    instance: InstanceId,
    cals: &[CalendarId],
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.push(" IN (SELECT cal.id FROM calendars cal WHERE cal.instance_id = ")
        .push_bind(instance.0)
        .push(" AND cal.id");
    push_in_list(q, cals.iter().map(|c| c.0));
    q.push(")");
}

/// One occurrence to store (µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOccurrence {
    pub start: i64,
    pub end: i64,
    /// Every occurrence from `start` on was not stored: the reader expands the object.
    pub open: bool,
    /// The occurrence's own title where an exception renames it.
    pub summary: Option<String>,
    pub location: String,
}

/// One stored occurrence as a range query returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OccurrenceRow {
    pub object: CalObjectId,
    pub calendar: CalendarId,
    pub start: i64,
    pub end: i64,
    pub open: bool,
    pub summary: Option<String>,
    pub location: String,
}

/// What every occurrence row of an object repeats of it (migration 0063), so that a
/// calendar-query answers from the time index alone: the object's current values.
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    pub href: &'a str,
    pub etag: &'a str,
    pub component: &'a str,
    /// µs UTC: the object's earliest start (the answer's order).
    pub first_start: i64,
}

/// Replaces the occurrences of one object (ingest, re-index), in statements of 200 rows.
pub async fn replace(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    object: CalObjectId,
    head: Head<'_>,
    occ: &[NewOccurrence],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM calendar_occurrences WHERE instance_id = $1 AND object_id = $2")
        .bind(instance.0).bind(object.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for (n, chunk) in occ.chunks(200).enumerate() {
        on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO calendar_occurrences (instance_id, object_id, seq, calendar_id, starts_at, ends_at, is_open, is_long, summary, location, href, etag, component, first_start) ",
            );
            q.push_values(chunk.iter().enumerate(), |mut b, (i, o)| {
                let long = o.open || o.end.saturating_sub(o.start) > SPAN_US;
                b.push_bind(instance.0).push_bind(object.0).push_bind((n * 200 + i) as i64)
                    .push_bind(cal.0).push_bind(o.start).push_bind(o.end).push_bind(o.open)
                    .push_bind(long).push_bind(o.summary.as_deref()).push_bind(o.location.as_str())
                    .push_bind(head.href).push_bind(head.etag).push_bind(head.component)
                    .push_bind(head.first_start);
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Occurrences in these calendars whose time may touch [start, end): starting before `end`
/// and ending at or after `start` (the caller applies the exact overlap rule). Open rows
/// starting before `end` come too. Two index range scans in one statement: recent starts,
/// object, calendar, start, end, open-ended, summary, location.
type RawOccurrence = (Uuid, Uuid, i64, i64, bool, Option<String>, String);

/// and the few long rows.
pub async fn in_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    start: i64,
    end: i64,
) -> Result<Vec<OccurrenceRow>, StoreError> {
    if cals.is_empty() || start >= end {
        return Ok(vec![]);
    }
    let from = start.saturating_sub(SPAN_US);
    let rows: Vec<RawOccurrence> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT object_id, calendar_id, starts_at, ends_at, is_open, summary, location FROM calendar_occurrences WHERE calendar_id");
        push_calendars(&mut q, instance, cals);
        q.push(" AND starts_at >= ").push_bind(from).push(" AND starts_at < ").push_bind(end)
            .push(" AND ends_at >= ").push_bind(start);
        q.push(" UNION ALL SELECT object_id, calendar_id, starts_at, ends_at, is_open, summary, location FROM calendar_occurrences WHERE calendar_id");
        push_calendars(&mut q, instance, cals);
        q.push(" AND is_long AND starts_at < ").push_bind(from)
            .push(" AND ends_at >= ").push_bind(start);
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(o, cal, s, e, open, summary, location)| OccurrenceRow {
            object: CalObjectId(o),
            calendar: CalendarId(cal),
            start: s,
            end: e,
            open,
            summary,
            location,
        })
        .collect())
}

/// An object the indexing job reads: where it is, what its rows repeat, and its text.
#[derive(Clone, Debug)]
pub struct Unindexed {
    pub instance: InstanceId,
    pub calendar: CalendarId,
    pub id: CalObjectId,
    pub href: String,
    pub etag: String,
    pub component: String,
    pub first_start: i64,
    pub raw: String,
}

impl Unindexed {
    pub fn head(&self) -> Head<'_> {
        Head {
            href: &self.href,
            etag: &self.etag,
            component: &self.component,
            first_start: self.first_start,
        }
    }
}

type RawUnindexed = (Uuid, Uuid, Uuid, String, String, String, i64, String);

/// Objects not in the index yet (made before it existed), at most `limit`, for the
/// indexing job.
pub async fn unindexed(c: &mut impl AsConn, limit: i64) -> Result<Vec<Unindexed>, StoreError> {
    let rows: Vec<RawUnindexed> = on!(c, c => sqlx::query_as(
        "SELECT o.instance_id, o.calendar_id, o.id, o.href, o.etag, o.component, o.first_start, o.raw
           FROM calendar_objects o
         WHERE NOT EXISTS (SELECT 1 FROM calendar_occurrences x
                           WHERE x.instance_id = o.instance_id AND x.object_id = o.id)
         ORDER BY o.id LIMIT $1")
        .bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(i, cal, o, href, etag, component, first_start, raw)| Unindexed {
                instance: InstanceId(i),
                calendar: CalendarId(cal),
                id: CalObjectId(o),
                href,
                etag,
                component,
                first_start,
                raw,
            },
        )
        .collect())
}

/// One occurrence with what a view shows of its object (µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownRow {
    pub object: CalObjectId,
    pub calendar: CalendarId,
    pub start: i64,
    pub end: i64,
    /// The object's occurrences from `start` on were not stored: the reader expands it.
    pub open: bool,
    /// The occurrence's own title, else the object's.
    pub summary: String,
    pub location: String,
    pub href: String,
    pub uid: String,
    pub all_day: bool,
    pub recurring: bool,
}

type RawShown = (
    Uuid,
    Uuid,
    i64,
    i64,
    bool,
    String,
    String,
    String,
    String,
    bool,
    bool,
);

/// [`in_range`] joined to the objects, with only the columns the views show: the day,
/// week, month and list views in one statement, however many calendars. The rows come back
/// as one, as the calendar-query's hits do (see `texts::hits`): a JSON array on SQLite,
/// columns of arrays on PostgreSQL.
pub async fn shown_in_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    start: i64,
    end: i64,
) -> Result<Vec<ShownRow>, StoreError> {
    if cals.is_empty() || start >= end {
        return Ok(vec![]);
    }
    let rows: Vec<RawShown> = match c.conn() {
        Conn::Sqlite(c) => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT json_group_array(json_array({}, {}, s, e, op, sm, lo, hr, ui, ad, re)) \
                 FROM (",
                hex_of("o_id"),
                hex_of("c_id")
            ));
            push_shown(&mut q, instance, cals, (start, end));
            q.push(")");
            let (json,): (String,) = q.build_query_as().fetch_one(&mut *c).await?;
            packed_shown(&json)?
        }
        Conn::Pg(c) => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT array_agg(o_id), array_agg(c_id), array_agg(s), array_agg(e), \
                 array_agg(op), array_agg(sm), array_agg(lo), array_agg(hr), array_agg(ui), \
                 array_agg(ad), array_agg(re) FROM (",
            );
            push_shown(&mut q, instance, cals, (start, end));
            q.push(") t");
            let cols: PgShown = q.build_query_as().fetch_one(&mut *c).await?;
            unpacked_shown(cols)?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| ShownRow {
            object: CalObjectId(r.0),
            calendar: CalendarId(r.1),
            start: r.2,
            end: r.3,
            open: r.4,
            summary: r.5,
            location: r.6,
            href: r.7,
            uid: r.8,
            all_day: r.9,
            recurring: r.10,
        })
        .collect())
}

/// The views' rows as PostgreSQL's columns of arrays (one row, `NULL`s when none): one
/// message instead of one per occurrence.
type PgShown = (
    Option<Vec<Uuid>>,
    Option<Vec<Uuid>>,
    Option<Vec<i64>>,
    Option<Vec<i64>>,
    Option<Vec<bool>>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<Vec<bool>>,
    Option<Vec<bool>>,
);

/// The rows of [`PgShown`]'s arrays, which are equally long.
fn unpacked_shown(cols: PgShown) -> Result<Vec<RawShown>, StoreError> {
    fn column<T>(v: Option<Vec<T>>, n: usize) -> Result<std::vec::IntoIter<T>, StoreError> {
        let v = v.unwrap_or_default();
        if v.len() == n {
            Ok(v.into_iter())
        } else {
            Err(StoreError::Corrupt(
                "calendar view: arrays of unequal length".into(),
            ))
        }
    }
    let (o, c, s, e, op, sm, lo, hr, ui, ad, re) = cols;
    let o = o.unwrap_or_default();
    let n = o.len();
    let (mut c, mut s, mut e, mut op) =
        (column(c, n)?, column(s, n)?, column(e, n)?, column(op, n)?);
    let (mut sm, mut lo, mut hr, mut ui) = (
        column(sm, n)?,
        column(lo, n)?,
        column(hr, n)?,
        column(ui, n)?,
    );
    let (mut ad, mut re) = (column(ad, n)?, column(re, n)?);
    let rows = o.into_iter().filter_map(|id| {
        Some((
            id,
            c.next()?,
            s.next()?,
            e.next()?,
            op.next()?,
            sm.next()?,
            lo.next()?,
            hr.next()?,
            ui.next()?,
            ad.next()?,
            re.next()?,
        ))
    });
    Ok(rows.collect())
}

/// The views' statement; the columns are named for the packing outer selects.
fn push_shown<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    instance: InstanceId,
    cals: &[CalendarId],
    (start, end): (i64, i64),
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let from = start.saturating_sub(SPAN_US);
    for long in [false, true] {
        q.push(if long { " UNION ALL " } else { "" });
        q.push(
            "SELECT x.object_id AS o_id, x.calendar_id AS c_id, x.starts_at AS s, \
             x.ends_at AS e, x.is_open AS op, COALESCE(x.summary, o.summary) AS sm, \
             x.location AS lo, o.href AS hr, o.uid AS ui, o.all_day AS ad, \
             o.recurring AS re \
             FROM calendar_occurrences x JOIN calendar_objects o \
             ON o.instance_id = x.instance_id AND o.id = x.object_id WHERE x.calendar_id",
        );
        push_calendars(q, instance, cals);
        if long {
            q.push(" AND x.is_long AND x.starts_at < ").push_bind(from);
        } else {
            q.push(" AND x.starts_at >= ")
                .push_bind(from)
                .push(" AND x.starts_at < ")
                .push_bind(end);
        }
        q.push(" AND x.ends_at >= ").push_bind(start);
    }
}

/// A UUID column as SQLite's JSON takes it: hex of the blob (text as stored otherwise).
pub(crate) fn hex_of(col: &str) -> String {
    format!("CASE typeof({col}) WHEN 'blob' THEN hex({col}) ELSE {col} END")
}

type PackedShown = (
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
);

/// The rows of SQLite's JSON array, in the statement's column order.
fn packed_shown(json: &str) -> Result<Vec<RawShown>, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("calendar view: {e}"));
    let rows: Vec<PackedShown> = serde_json::from_str(json).map_err(|e| bad(&e))?;
    rows.into_iter()
        .map(|r| {
            let id = Uuid::parse_str(&r.0).map_err(|e| bad(&e))?;
            let cal = Uuid::parse_str(&r.1).map_err(|e| bad(&e))?;
            Ok((
                id,
                cal,
                r.2,
                r.3,
                r.4 != 0,
                r.5,
                r.6,
                r.7,
                r.8,
                r.9 != 0,
                r.10 != 0,
            ))
        })
        .collect()
}
