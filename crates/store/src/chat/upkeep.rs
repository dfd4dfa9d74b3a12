//! The school's chat settings, quiet hours of rooms, releasing held messages, the deletion
//! period and attachments.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::RoomId;
use crate::{AsConn, StoreError, on};

/// The school's default quiet hours (minutes after local midnight) and deletion period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatSettings {
    pub quiet: Option<(i64, i64)>,
    pub retention_days: Option<i64>,
}

pub async fn settings(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<ChatSettings, StoreError> {
    let r: Option<(Option<i64>, Option<i64>, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT quiet_from, quiet_to, retention_days FROM chat_settings WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(
        r.map_or_else(ChatSettings::default, |(f, t, d)| ChatSettings {
            quiet: f.zip(t),
            retention_days: d,
        }),
    )
}

pub async fn set_settings(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: ChatSettings,
) -> Result<(), StoreError> {
    let (f, t) = s.quiet.unzip();
    on!(c, c => sqlx::query(
        "INSERT INTO chat_settings (instance_id, quiet_from, quiet_to, retention_days)
         VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id) DO UPDATE SET
             quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
             retention_days = excluded.retention_days")
        .bind(instance.0).bind(f).bind(t).bind(s.retention_days)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A room's own quiet hours; `None`: the school's default. `(x, x)`: none in this room.
pub async fn set_room_quiet(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    quiet: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    let (f, t) = quiet.unzip();
    on!(c, c => sqlx::query(
        "UPDATE chat_rooms SET quiet_from = $3, quiet_to = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(room.0).bind(f).bind(t)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Held messages whose time came, of every school: (instance, room, seq), at most `limit`.
pub async fn system_due_held(
    c: &mut impl AsConn,
    now: i64,
    limit: i64,
) -> Result<Vec<(InstanceId, RoomId, i64)>, StoreError> {
    let rows: Vec<(Uuid, Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, room_id, seq FROM chat_messages
         WHERE visible_from IS NOT NULL AND visible_from <= $1
         ORDER BY visible_from, instance_id, room_id, seq LIMIT $2")
        .bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(i, r, s)| (InstanceId(i), RoomId(r), s))
        .collect())
}

/// Releases a held message: visible to all, at the room's new sequence number `rev`.
pub async fn release(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    rev: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET visible_from = NULL, rev = $4
         WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(rev)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The schools with a deletion period for chat messages: (school, days).
pub async fn system_retention(c: &mut impl AsConn) -> Result<Vec<(InstanceId, i64)>, StoreError> {
    let rows: Vec<(Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, retention_days FROM chat_settings WHERE retention_days IS NOT NULL")
        .fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|(i, d)| (InstanceId(i), d)).collect())
}

/// Deletes a school's messages written before `cutoff` (reactions, reports and attachment
/// references go with them; the blobs are collected later). How many.
pub async fn delete_older(
    c: &mut impl AsConn,
    instance: InstanceId,
    cutoff: i64,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM chat_messages WHERE instance_id = $1 AND created_at < $2")
        .bind(instance.0).bind(cutoff).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// A message's attachment. `size` is the plain content's; `sealed`: the blob is sealed
/// with the school's key (false only for attachments stored before sealing).
#[derive(Clone, Debug)]
pub struct AttachmentRow {
    pub sha: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sealed: bool,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_attachment(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    a: &AttachmentRow,
    by: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO chat_attachments (instance_id, room_id, seq, sha, name, content_type, size,
             uploaded_by, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(instance.0).bind(room.0).bind(seq).bind(&a.sha).bind(&a.name)
        .bind(&a.content_type).bind(a.size).bind(by.0).bind(a.sealed)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The attachment of a message that is not deleted and is visible to `user` at `now`.
pub async fn attachment(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    user: UserId,
    now: i64,
) -> Result<Option<AttachmentRow>, StoreError> {
    let r: Option<(String, String, String, i64, bool)> = on!(c, c => sqlx::query_as(
        "SELECT a.sha, a.name, a.content_type, a.size, a.sealed FROM chat_attachments a
           JOIN chat_messages m ON m.instance_id = a.instance_id AND m.room_id = a.room_id
             AND m.seq = a.seq
         WHERE a.instance_id = $1 AND a.room_id = $2 AND a.seq = $3 AND m.deleted_at IS NULL
           AND (m.visible_from IS NULL OR m.visible_from <= $5 OR m.author_id = $4)")
        .bind(instance.0).bind(room.0).bind(seq).bind(user.0).bind(now)
        .fetch_optional(&mut *c).await)?;
    Ok(
        r.map(|(sha, name, content_type, size, sealed)| AttachmentRow {
            sha,
            name,
            content_type,
            size,
            sealed,
        }),
    )
}

/// Drops the attachment of a deleted message (its blob is collected later).
pub async fn delete_attachment(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM chat_attachments WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
