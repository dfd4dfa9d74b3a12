//! Attendees of scheduled events (implicit scheduling): one row per invited person of an
//! organiser's object, with the person's copy and answer.

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use super::{CalObjectId, CalendarId};
use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendeeRow {
    /// The organiser's object (the master).
    pub object: CalObjectId,
    pub user: UserId,
    /// The attendee's copy; `None` once the attendee deleted it.
    pub copy: Option<CalObjectId>,
    pub via_group: Option<GroupId>,
    /// NEEDS-ACTION, ACCEPTED, DECLINED or TENTATIVE.
    pub partstat: String,
    /// µs UTC of the last answer.
    pub answered_at: Option<i64>,
    /// "first last" of the attendee.
    pub name: String,
    pub mail: String,
}

type Row = (
    Uuid,
    Uuid,
    Option<Uuid>,
    Option<Uuid>,
    String,
    Option<i64>,
    String,
    String,
);

fn row(r: Row) -> AttendeeRow {
    AttendeeRow {
        object: CalObjectId(r.0),
        user: UserId(r.1),
        copy: r.2.map(CalObjectId),
        via_group: r.3.map(GroupId),
        partstat: r.4,
        answered_at: r.5,
        name: r.6,
        mail: r.7,
    }
}

macro_rules! select {
    () => {
        "SELECT a.object_id, a.user_id, a.copy_id, a.via_group, a.partstat, a.answered_at,
            u.first_name || ' ' || u.last_name, u.mail
        FROM calendar_attendees a
        JOIN users u ON u.instance_id = a.instance_id AND u.id = a.user_id"
    };
}

/// The attendees of an organiser's object, by name.
pub async fn of_object(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
) -> Result<Vec<AttendeeRow>, StoreError> {
    let r: Vec<Row> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE a.instance_id = $1 AND a.object_id = $2 ORDER BY u.last_name, u.first_name, u.login"))
        .bind(instance.0).bind(object.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The attendee row whose copy is `copy`.
pub async fn by_copy(
    c: &mut impl AsConn,
    instance: InstanceId,
    copy: CalObjectId,
) -> Result<Option<AttendeeRow>, StoreError> {
    let r: Option<Row> = on!(c, c => sqlx::query_as(concat!(select!(),
        " WHERE a.instance_id = $1 AND a.copy_id = $2"))
        .bind(instance.0).bind(copy.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Adds an attendee, or points an existing one at its (new) copy and group.
pub async fn upsert(
    c: &mut impl AsConn,
    instance: InstanceId,
    a: &AttendeeRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_attendees
            (instance_id, object_id, user_id, copy_id, via_group, partstat, answered_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (instance_id, object_id, user_id) DO UPDATE SET copy_id = excluded.copy_id,
            via_group = excluded.via_group, partstat = excluded.partstat,
            answered_at = excluded.answered_at")
        .bind(instance.0).bind(a.object.0).bind(a.user.0).bind(a.copy.map(|x| x.0))
        .bind(a.via_group.map(|g| g.0)).bind(&a.partstat).bind(a.answered_at).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes an attendee (uninvited).
pub async fn remove(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM calendar_attendees WHERE instance_id = $1 AND object_id = $2 AND user_id = $3")
        .bind(instance.0).bind(object.0).bind(user.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One invitation of a person, for the invitations list.
#[derive(Clone, Debug)]
pub struct InvitationRow {
    pub object: CalObjectId,
    pub copy_calendar: CalendarId,
    pub copy_href: String,
    pub summary: String,
    pub first_start: i64,
    pub partstat: String,
    pub organiser: String,
    /// The copy carries STATUS:CANCELLED (no longer blocks time).
    pub transparent: bool,
}

/// The invitations of `user` whose copy still exists and which end at or after `from` (µs),
/// the soonest first, at most `limit`.
pub async fn invitations_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    from: i64,
    limit: i64,
) -> Result<Vec<InvitationRow>, StoreError> {
    type R = (Uuid, Uuid, String, String, i64, String, String, bool);
    let r: Vec<R> = on!(c, c => sqlx::query_as(
        "SELECT a.object_id, o.calendar_id, o.href, o.summary, o.first_start, a.partstat,
            COALESCE(u.first_name || ' ' || u.last_name, ''), o.transparent
         FROM calendar_attendees a
         JOIN calendar_objects o ON o.instance_id = a.instance_id AND o.id = a.copy_id
         JOIN calendar_objects m ON m.instance_id = a.instance_id AND m.id = a.object_id
         JOIN calendars mc ON mc.instance_id = m.instance_id AND mc.id = m.calendar_id
         LEFT JOIN users u ON u.instance_id = mc.instance_id AND u.id = mc.owner_id
         WHERE a.instance_id = $1 AND a.user_id = $2 AND (o.last_end IS NULL OR o.last_end >= $3)
         ORDER BY o.first_start, o.id LIMIT $4")
        .bind(instance.0).bind(user.0).bind(from).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| InvitationRow {
            object: CalObjectId(r.0),
            copy_calendar: CalendarId(r.1),
            copy_href: r.2,
            summary: r.3,
            first_start: r.4,
            partstat: r.5,
            organiser: r.6,
            transparent: r.7,
        })
        .collect())
}

/// The default personal calendar of a login (slug `personal`), if it was made.
pub async fn default_calendar(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<CalendarId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM calendars WHERE instance_id = $1 AND kind = 'personal' AND owner_id = $2
         AND slug = 'personal'")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| CalendarId(id)))
}

/// The attendee row of `user` for the organiser's object with this UID (a copy a client
/// stored under a name of its own).
pub async fn by_user_uid(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    uid: &str,
) -> Result<Option<AttendeeRow>, StoreError> {
    let r: Option<Row> = on!(c, c => sqlx::query_as(concat!(select!(),
        " JOIN calendar_objects m ON m.instance_id = a.instance_id AND m.id = a.object_id
         WHERE a.instance_id = $1 AND a.user_id = $2 AND m.uid = $3"))
        .bind(instance.0).bind(user.0).bind(uid).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The owner of the calendar holding `object` (the organiser of a scheduled event).
pub async fn organiser_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    object: CalObjectId,
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Option<Uuid>,)> = on!(c, c => sqlx::query_as(
        "SELECT mc.owner_id FROM calendar_objects m
         JOIN calendars mc ON mc.instance_id = m.instance_id AND mc.id = m.calendar_id
         WHERE m.instance_id = $1 AND m.id = $2")
        .bind(instance.0).bind(object.0).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(o,)| o).map(UserId))
}
