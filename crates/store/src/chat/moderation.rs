//! Mutes, pins, reports and per-room silencing of notifications.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::RoomId;
use crate::{AsConn, StoreError, on};

/// Mutes `user` in a room until `until` (replacing an earlier mute; `until` in the past
/// lifts it).
pub async fn set_mute(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
    until: i64,
    by: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO chat_mutes (instance_id, room_id, user_id, until, muted_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, room_id, user_id) DO UPDATE SET until = excluded.until,
             muted_by = excluded.muted_by")
        .bind(instance.0).bind(room.0).bind(user.0).bind(until).bind(by.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pins (`Some(now)`) or unpins a message and moves it to `rev`.
pub async fn set_pin(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    rev: i64,
    at: Option<i64>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET pinned_at = $5, rev = $4
         WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(rev).bind(at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Holds a new message for quiet hours until `until` (µs).
pub async fn hold(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    until: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET visible_from = $4
         WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A report of a message; false when this member reported it before.
pub async fn insert_report(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    reporter: UserId,
    reason: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO chat_reports (instance_id, id, room_id, seq, reporter_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(Uuid::now_v7()).bind(room.0).bind(seq).bind(reporter.0)
        .bind(reason).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One report as the moderators' list shows it.
#[derive(Clone, Debug)]
pub struct ReportRow {
    pub seq: i64,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: i64,
    /// The reported message's author and sealed body (empty once deleted).
    pub author_name: String,
    pub body: Vec<u8>,
}

/// The reports of a room's messages, newest first (one statement).
pub async fn reports(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
) -> Result<Vec<ReportRow>, StoreError> {
    type Raw = (i64, String, String, i64, String, Vec<u8>);
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT rp.seq, COALESCE(ru.first_name || ' ' || ru.last_name, ''), rp.reason,
                rp.created_at, COALESCE(au.first_name || ' ' || au.last_name, ''), m.body
         FROM chat_reports rp JOIN chat_messages m ON m.instance_id = rp.instance_id
             AND m.room_id = rp.room_id AND m.seq = rp.seq
           LEFT JOIN users ru ON ru.instance_id = rp.instance_id AND ru.id = rp.reporter_id
           LEFT JOIN users au ON au.instance_id = m.instance_id AND au.id = m.author_id
         WHERE rp.instance_id = $1 AND rp.room_id = $2
         ORDER BY rp.created_at DESC LIMIT 200")
        .bind(instance.0).bind(room.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ReportRow {
            seq: r.0,
            reporter_name: r.1,
            reason: r.2,
            created_at: r.3,
            author_name: r.4,
            body: r.5,
        })
        .collect())
}

/// Silences (no notifications) or unsilences a room for `user`.
pub async fn set_silenced(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
    silenced: bool,
) -> Result<(), StoreError> {
    if silenced {
        on!(c, c => sqlx::query(
            "INSERT INTO chat_silenced (instance_id, room_id, user_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING")
            .bind(instance.0).bind(room.0).bind(user.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    } else {
        on!(c, c => sqlx::query(
            "DELETE FROM chat_silenced WHERE instance_id = $1 AND room_id = $2 AND user_id = $3")
            .bind(instance.0).bind(room.0).bind(user.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// The members of a room with one of these logins who have not silenced it, but `author`:
/// whom a mention notifies. One statement per login (a message mentions a handful).
pub async fn mentionable(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    login: &str,
    author: UserId,
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT u.id FROM users u JOIN chat_rooms r ON r.instance_id = u.instance_id AND r.id = $2
         WHERE u.instance_id = $1 AND u.login = $3 AND u.id <> $4 AND u.active
           AND (EXISTS (SELECT 1 FROM memberships m WHERE m.instance_id = r.instance_id
                   AND m.group_id = r.group_id AND m.user_id = u.id)
                OR EXISTS (SELECT 1 FROM chat_members cm WHERE cm.instance_id = r.instance_id
                   AND cm.room_id = r.id AND cm.user_id = u.id))
           AND NOT EXISTS (SELECT 1 FROM chat_silenced si WHERE si.instance_id = r.instance_id
                   AND si.room_id = r.id AND si.user_id = u.id)")
        .bind(instance.0).bind(room.0).bind(login).bind(author.0)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| UserId(r.0)))
}
