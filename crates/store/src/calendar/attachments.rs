//! Attachments of calendar objects: files chosen from the editor's file areas, kept by their
//! stored content (`blob_sha`, the same blob, no copy). They go with their object (foreign
//! key, on delete cascade).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::{CalObjectId, CalendarId};
use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub calendar: CalendarId,
    pub object: CalObjectId,
    /// The object's name in its calendar.
    pub href: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub blob_sha: String,
    pub node_id: Option<Uuid>,
}

type Raw = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    Option<Uuid>,
);

fn row(r: Raw) -> AttachmentRow {
    AttachmentRow {
        id: r.0,
        calendar: CalendarId(r.1),
        object: CalObjectId(r.2),
        href: r.3,
        name: r.4,
        mime: r.5,
        size: r.6,
        blob_sha: r.7,
        node_id: r.8,
    }
}

macro_rules! select {
    () => {
        "SELECT a.id, a.calendar_id, a.object_id, o.href, a.name, a.mime, a.size, a.blob_sha, a.node_id
         FROM calendar_attachments a
         JOIN calendar_objects o ON o.instance_id = a.instance_id AND o.id = a.object_id"
    };
}

/// Stores one attachment of an object.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    a: &AttachmentRow,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_attachments (instance_id, id, calendar_id, object_id, name, mime, size, blob_sha, node_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(instance.0).bind(a.id).bind(a.calendar.0).bind(a.object.0).bind(&a.name)
        .bind(&a.mime).bind(a.size).bind(&a.blob_sha).bind(a.node_id).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The attachments of one object, oldest first.
pub async fn of_object(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
) -> Result<Vec<AttachmentRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE a.instance_id = $1 AND a.object_id = $2 ORDER BY a.id"))
        .bind(instance.0).bind(object.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The attachments of one object by its name in the calendar (one statement).
pub async fn of_href(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    href: &str,
) -> Result<Vec<AttachmentRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE a.instance_id = $1 AND o.calendar_id = $2 AND o.href = $3 ORDER BY a.id"))
        .bind(instance.0).bind(cal.0).bind(href).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every attachment of a calendar's objects (exports and CalDAV answers add them).
pub async fn of_calendar(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
) -> Result<Vec<AttachmentRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE a.instance_id = $1 AND a.calendar_id = $2 ORDER BY a.id"))
        .bind(instance.0).bind(cal.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Removes one attachment of an object; whether there was one.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM calendar_attachments WHERE instance_id = $1 AND object_id = $2 AND id = $3")
        .bind(instance.0).bind(object.0).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A new ETag for an object whose answer changed without its text (attachments).
pub async fn set_etag(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
    etag: &str,
    modseq: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE calendar_objects SET etag = $3, modseq = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(object.0).bind(etag).bind(modseq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
