//! Booked occurrences of resources, derived from the events of each resource's calendar.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::{BookingId, CalObjectId, ResourceId};
use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug)]
pub struct BookingRow {
    pub id: BookingId,
    pub resource: ResourceId,
    pub object: CalObjectId,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `pending` or `confirmed`.
    pub status: String,
    pub booked_by: Option<UserId>,
    /// "first last" of who booked, if that login still exists.
    pub booked_by_name: Option<String>,
    pub title: String,
}

type Row = (
    Uuid,
    Uuid,
    Uuid,
    i64,
    i64,
    String,
    Option<Uuid>,
    Option<String>,
    String,
);

fn row(r: Row) -> BookingRow {
    BookingRow {
        id: BookingId(r.0),
        resource: ResourceId(r.1),
        object: CalObjectId(r.2),
        starts_at: r.3,
        ends_at: r.4,
        status: r.5,
        booked_by: r.6.map(UserId),
        booked_by_name: r.7,
        title: r.8,
    }
}

macro_rules! select {
    () => {
        "SELECT b.id, b.resource_id, b.object_id, b.starts_at, b.ends_at, b.status, b.booked_by,
            u.first_name || ' ' || u.last_name, b.title
        FROM calendar_bookings b
        LEFT JOIN users u ON u.instance_id = b.instance_id AND u.id = b.booked_by"
    };
}

/// Bookings of a resource overlapping [start, end), except those of `object` (its own old
/// occurrences when an event is changed). `status` restricts to one status.
pub async fn overlapping(
    c: &mut impl AsConn,
    instance: InstanceId,
    resource: ResourceId,
    start: i64,
    end: i64,
    except: Option<CalObjectId>,
) -> Result<Vec<BookingRow>, StoreError> {
    let r: Vec<Row> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE b.instance_id = $1 AND b.resource_id = $2 AND b.starts_at < $4 AND b.ends_at > $3
         AND b.object_id <> $5 ORDER BY b.starts_at LIMIT 5000"))
        .bind(instance.0).bind(resource.0).bind(start).bind(end)
        .bind(except.map_or(Uuid::nil(), |o| o.0))
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Replaces the bookings of an object by these occurrences.
pub async fn replace_for_object(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
    rows: &[BookingRow],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    remove_for_object(c, instance, object).await?;
    for b in rows {
        on!(c, c => sqlx::query(
            "INSERT INTO calendar_bookings (instance_id, id, resource_id, object_id, starts_at, ends_at, status,
                booked_by, title, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(instance.0).bind(b.id.0).bind(b.resource.0).bind(object.0).bind(b.starts_at)
            .bind(b.ends_at).bind(&b.status).bind(b.booked_by.map(|u| u.0)).bind(&b.title).bind(to_us(now))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn remove_for_object(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM calendar_bookings WHERE instance_id = $1 AND object_id = $2")
        .bind(instance.0).bind(object.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pending bookings of the school, oldest first.
pub async fn pending(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<BookingRow>, StoreError> {
    let r: Vec<Row> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE b.instance_id = $1 AND b.status = 'pending' ORDER BY b.starts_at LIMIT 500"))
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Sets the status of every occurrence of an object's booking.
pub async fn set_status(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
    status: &str,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE calendar_bookings SET status = $3 WHERE instance_id = $1 AND object_id = $2")
        .bind(instance.0).bind(object.0).bind(status).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Busy intervals of a resource in [start, end), pending ones included.
pub async fn busy(
    c: &mut impl AsConn,
    instance: InstanceId,
    resource: ResourceId,
    start: i64,
    end: i64,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    let r: Vec<(i64, i64, String)> = on!(c, c => sqlx::query_as(
        "SELECT starts_at, ends_at, status FROM calendar_bookings
         WHERE instance_id = $1 AND resource_id = $2 AND starts_at < $4 AND ends_at > $3 ORDER BY starts_at")
        .bind(instance.0).bind(resource.0).bind(start).bind(end).fetch_all(&mut *c).await)?;
    Ok(r)
}

/// The resource and object a booking belongs to.
pub async fn object_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: BookingId,
) -> Result<Option<(ResourceId, CalObjectId)>, StoreError> {
    let r: Option<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT resource_id, object_id FROM calendar_bookings WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(res, o)| (ResourceId(res), CalObjectId(o))))
}
