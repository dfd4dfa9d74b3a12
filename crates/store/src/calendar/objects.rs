//! iCalendar object resources of a calendar (the original text plus indexed columns) and the
//! tombstones of deleted ones.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::reindex::INDEX_VERSION;
use super::{CalObjectId, CalendarId};
use crate::{AsConn, Conn, StoreError, on, push_in_list, to_us};

/// An object without its text.
#[derive(Clone, Debug)]
pub struct ObjectRow {
    pub id: CalObjectId,
    pub calendar: CalendarId,
    pub href: String,
    pub uid: String,
    pub etag: String,
    pub modseq: i64,
    pub component: String,
    pub size: i64,
    pub summary: String,
    /// µs UTC: the earliest start of any instance.
    pub first_start: i64,
    /// µs UTC: the latest end of any instance; `None` = open end.
    pub last_end: Option<i64>,
    pub recurring: bool,
    pub all_day: bool,
    pub public: bool,
    pub transparent: bool,
    pub created_by: Option<UserId>,
}

macro_rules! columns {
    () => {
        "id, calendar_id, href, uid, etag, modseq, component, size, summary, first_start, last_end, recurring, all_day, public, transparent, created_by"
    };
}

macro_rules! read_row {
    ($r:expr) => {{
        use sqlx::Row as _;
        let r = $r;
        Ok::<ObjectRow, sqlx::Error>(ObjectRow {
            id: CalObjectId(r.try_get(0)?),
            calendar: CalendarId(r.try_get(1)?),
            href: r.try_get(2)?,
            uid: r.try_get(3)?,
            etag: r.try_get(4)?,
            modseq: r.try_get(5)?,
            component: r.try_get(6)?,
            size: r.try_get(7)?,
            summary: r.try_get(8)?,
            first_start: r.try_get(9)?,
            last_end: r.try_get(10)?,
            recurring: r.try_get(11)?,
            all_day: r.try_get(12)?,
            public: r.try_get(13)?,
            transparent: r.try_get(14)?,
            created_by: r.try_get::<Option<Uuid>, _>(15)?.map(UserId),
        })
    }};
}

/// Reads rows selected with `columns!()` and, when `$raw`, the text as the 17th column.
macro_rules! fetch {
    ($c:expr, $c2:ident => $query:expr, $raw:expr) => {
        on!($c, $c2 => {
            let rows = $query.fetch_all(&mut *$c2).await?;
            rows.iter()
                .map(|r| {
                    use sqlx::Row as _;
                    let raw: Option<String> = if $raw { Some(r.try_get(16)?) } else { None };
                    Ok::<_, sqlx::Error>((read_row!(r)?, raw))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })
    };
}

/// One object by its name in the calendar, with its text.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    href: &str,
) -> Result<Option<(ObjectRow, String)>, StoreError> {
    let mut r = fetch!(c, c => sqlx::query(concat!("SELECT ", columns!(), ", raw FROM calendar_objects
        WHERE instance_id = $1 AND calendar_id = $2 AND href = $3"))
        .bind(instance.0).bind(cal.0).bind(href), true)?;
    Ok(r.pop().and_then(|(row, raw)| raw.map(|t| (row, t))))
}

/// The object of the calendar that carries `uid`, without its text.
pub async fn by_uid(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    uid: &str,
) -> Result<Option<ObjectRow>, StoreError> {
    let mut r = fetch!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM calendar_objects
        WHERE instance_id = $1 AND calendar_id = $2 AND uid = $3"))
        .bind(instance.0).bind(cal.0).bind(uid), false)?;
    Ok(r.pop().map(|(row, _)| row))
}

/// Every object of the calendar, without texts, by name.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
) -> Result<Vec<ObjectRow>, StoreError> {
    let r = fetch!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM calendar_objects
        WHERE instance_id = $1 AND calendar_id = $2 ORDER BY href"))
        .bind(instance.0).bind(cal.0), false)?;
    Ok(r.into_iter().map(|(row, _)| row).collect())
}

/// The objects with these names, with their texts: one statement per 500 names on SQLite,
/// one in all on PostgreSQL, which looks each name up by the calendar's unique name index
/// (an `IN` list let its planner scan the whole calendar when the table had no statistics:
/// 50–70 ms for 100 names of 10,000 objects).
pub async fn multiget(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    hrefs: &[String],
) -> Result<Vec<(ObjectRow, String)>, StoreError> {
    let mut names: Vec<&str> = hrefs.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::with_capacity(names.len());
    if let Conn::Pg(pg) = c.conn() {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            ", raw FROM unnest($1::text[]) AS n(wanted)
            CROSS JOIN LATERAL (SELECT ",
            columns!(),
            ", raw FROM calendar_objects x
              WHERE x.calendar_id = $2 AND x.href = n.wanted AND x.instance_id = $3 LIMIT 1) o"
        ))
        .bind(&names)
        .bind(cal.0)
        .bind(instance.0)
        .fetch_all(&mut *pg)
        .await?;
        for r in &rows {
            use sqlx::Row as _;
            out.push((read_row!(r)?, r.try_get(16)?));
        }
        return Ok(out);
    }
    for chunk in names.chunks(500) {
        let r = fetch!(c, c => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", columns!(), ", raw FROM calendar_objects WHERE instance_id = "));
            q.push_bind(instance.0).push(" AND calendar_id = ").push_bind(cal.0).push(" AND href IN (");
            let mut s = q.separated(", ");
            for h in chunk {
                s.push_bind(*h);
            }
            q.push(")");
            q
        }.build(), true)?;
        out.extend(r.into_iter().filter_map(|(row, raw)| raw.map(|t| (row, t))));
    }
    Ok(out)
}

/// Candidates for a time range in these calendars: every object whose bounds overlap the
/// half-open range [start, end) (open ends always do). With `raw`, the texts come along.
pub async fn in_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    cals: &[CalendarId],
    start: i64,
    end: i64,
    raw: bool,
) -> Result<Vec<(ObjectRow, Option<String>)>, StoreError> {
    if cals.is_empty() {
        return Ok(vec![]);
    }
    let r = fetch!(c, c => {
        let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", columns!()));
        q.push(if raw { ", raw" } else { "" }).push(" FROM calendar_objects WHERE instance_id = ");
        q.push_bind(instance.0).push(" AND calendar_id");
        push_in_list(&mut q, cals.iter().map(|c| c.0));
        q.push(" AND first_start < ").push_bind(end)
            .push(" AND (last_end IS NULL OR last_end >= ").push_bind(start)
            .push(") ORDER BY first_start, id");
        q
    }.build(), raw)?;
    Ok(r)
}

/// Objects changed after `since` (sync-collection), by modseq.
pub async fn changed_since(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    since: i64,
) -> Result<Vec<ObjectRow>, StoreError> {
    let r = fetch!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM calendar_objects
        WHERE instance_id = $1 AND calendar_id = $2 AND modseq > $3 ORDER BY modseq"))
        .bind(instance.0).bind(cal.0).bind(since), false)?;
    Ok(r.into_iter().map(|(row, _)| row).collect())
}

/// An object to store: the text and the columns computed from it.
#[derive(Clone, Debug)]
pub struct NewObject<'a> {
    pub row: &'a ObjectRow,
    pub raw: &'a str,
}

/// Stores a new object and removes a tombstone of its name.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewObject<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let o = n.row;
    on!(c, c => sqlx::query(concat!("INSERT INTO calendar_objects (instance_id, ", columns!(), ", raw, created_at, updated_at, index_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20)"))
        .bind(instance.0).bind(o.id.0).bind(o.calendar.0).bind(&o.href).bind(&o.uid).bind(&o.etag)
        .bind(o.modseq).bind(&o.component).bind(o.size).bind(&o.summary).bind(o.first_start)
        .bind(o.last_end).bind(o.recurring).bind(o.all_day).bind(o.public).bind(o.transparent)
        .bind(o.created_by.map(|u| u.0)).bind(n.raw).bind(to_us(now)).bind(INDEX_VERSION)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("DELETE FROM calendar_tombstones WHERE calendar_id = $1 AND href = $2")
        .bind(o.calendar.0).bind(&o.href).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the text and columns of an existing object (same id, name and calendar).
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewObject<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let o = n.row;
    on!(c, c => sqlx::query(
        "UPDATE calendar_objects SET uid = $3, etag = $4, modseq = $5, component = $6, size = $7,
            summary = $8, first_start = $9, last_end = $10, recurring = $11, all_day = $12,
            public = $13, transparent = $14, raw = $15, updated_at = $16, index_version = $17,
            index_claimed_at = NULL
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(o.id.0).bind(&o.uid).bind(&o.etag).bind(o.modseq).bind(&o.component)
        .bind(o.size).bind(&o.summary).bind(o.first_start).bind(o.last_end).bind(o.recurring)
        .bind(o.all_day).bind(o.public).bind(o.transparent).bind(n.raw).bind(to_us(now))
        .bind(INDEX_VERSION).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes an object and leaves a tombstone with the deletion's modseq.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    o: &ObjectRow,
    modseq: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM calendar_objects WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(o.id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_tombstones (instance_id, calendar_id, href, modseq, deleted_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (calendar_id, href) DO UPDATE SET modseq = excluded.modseq, deleted_at = excluded.deleted_at")
        .bind(instance.0).bind(o.calendar.0).bind(&o.href).bind(modseq).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Names deleted after `since` (sync-collection).
pub async fn deleted_since(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    since: i64,
) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT href FROM calendar_tombstones WHERE instance_id = $1 AND calendar_id = $2 AND modseq > $3
         ORDER BY modseq")
        .bind(instance.0).bind(cal.0).bind(since).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(h,)| h).collect())
}

/// An object by id, without its text.
pub async fn by_id(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CalObjectId,
) -> Result<Option<ObjectRow>, StoreError> {
    let mut r = fetch!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM calendar_objects
        WHERE instance_id = $1 AND id = $2"))
        .bind(instance.0).bind(id.0), false)?;
    Ok(r.pop().map(|(row, _)| row))
}

/// Objects by id (the occurrence index found them), with texts when `raw`, in one
/// statement per 1,000 ids.
pub async fn by_ids(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[CalObjectId],
    raw: bool,
) -> Result<Vec<(ObjectRow, Option<String>)>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let r = fetch!(c, c => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", columns!()));
            q.push(if raw { ", raw" } else { "" }).push(" FROM calendar_objects WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q
        }.build(), raw)?;
        out.extend(r);
    }
    Ok(out)
}
