//! Messages (sealed bodies), reactions and read markers.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::{RoomId, search};
use crate::{AsConn, StoreError, on};

/// A stored message (times µs UTC). `body` is sealed; empty once deleted.
#[derive(Clone, Debug)]
pub struct MessageRow {
    pub seq: i64,
    pub rev: i64,
    pub author: Option<UserId>,
    /// The author's display name (joined; empty when the login is gone).
    pub author_name: String,
    pub notice: Option<String>,
    pub body: Vec<u8>,
    pub reply_to: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// Held for quiet hours until then (shown only to its author before).
    pub visible_from: Option<i64>,
    pub pinned_at: Option<i64>,
    /// The attachment's name, content type and size.
    pub attachment: Option<(String, String, i64)>,
}

/// A new message or moderation notice.
pub struct NewMessage<'a> {
    pub seq: i64,
    pub author: UserId,
    pub notice: Option<&'a str>,
    pub body: &'a [u8],
    pub reply_to: Option<i64>,
    /// The search terms of its text (see [`super::search`]); `None` for a notice.
    pub search: Option<&'a str>,
}

type Raw = (
    i64,
    i64,
    Option<Uuid>,
    String,
    Option<String>,
    Vec<u8>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

macro_rules! columns {
    () => {
        "m.seq, m.rev, m.author_id, COALESCE(u.first_name || ' ' || u.last_name, ''), m.notice, \
         m.body, m.reply_to, m.created_at, m.edited_at, m.deleted_at, m.visible_from, \
         m.pinned_at, a.name, a.content_type, a.size FROM chat_messages m \
         LEFT JOIN users u ON u.instance_id = m.instance_id AND u.id = m.author_id \
         LEFT JOIN chat_attachments a ON a.instance_id = m.instance_id \
             AND a.room_id = m.room_id AND a.seq = m.seq"
    };
}

/// Visible to the viewer (placeholder `$u`) at `$n`: released, or its own (pending).
macro_rules! visible {
    ($u:literal, $n:literal) => {
        concat!(
            " AND (m.visible_from IS NULL OR m.visible_from <= ",
            $n,
            " OR m.author_id = ",
            $u,
            ")"
        )
    };
}

fn row(r: Raw) -> MessageRow {
    MessageRow {
        seq: r.0,
        rev: r.1,
        author: r.2.map(UserId),
        author_name: r.3,
        notice: r.4,
        body: r.5,
        reply_to: r.6,
        created_at: r.7,
        edited_at: r.8,
        deleted_at: r.9,
        visible_from: r.10,
        pinned_at: r.11,
        attachment: match (r.12, r.13, r.14) {
            (Some(n), Some(t), Some(s)) => Some((n, t, s)),
            _ => None,
        },
    }
}

/// Who reads, and when: messages held for quiet hours are hidden from others.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user: UserId,
    pub now: i64,
}

/// Inserts a message whose seq and rev are both `m.seq` (a fresh number of the room), and
/// its search terms.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    m: &NewMessage<'_>,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO chat_messages (instance_id, room_id, seq, rev, author_id, notice, body,
             reply_to, created_at) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)")
        .bind(instance.0).bind(room.0).bind(m.seq).bind(m.author.0).bind(m.notice)
        .bind(m.body).bind(m.reply_to).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if let Some(terms) = m.search {
        search::put(c, instance, room, m.seq, terms).await?;
    }
    Ok(())
}

pub async fn find(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
) -> Result<Option<MessageRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE m.instance_id = $1 AND m.room_id = $2 AND m.seq = $3"))
        .bind(instance.0).bind(room.0).bind(seq).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Messages new or changed after the room's sequence number `after`, oldest change first:
/// each at most once, in its latest state; those `viewer` may see.
pub async fn changed_after(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    after: i64,
    limit: i64,
    viewer: Viewer,
) -> Result<Vec<MessageRow>, StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE m.instance_id = $1 AND m.room_id = $2 AND m.rev > $3", visible!("$4", "$5"),
        " ORDER BY m.rev LIMIT $6"))
        .bind(instance.0).bind(room.0).bind(after).bind(viewer.user.0).bind(viewer.now)
        .bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(row).collect())
}

/// Messages new or changed after `after`, oldest change first, whoever may see them: one
/// node's shared read for all its sockets in the room (each viewer's filter is applied in
/// memory, as [`changed_after`] does in SQL).
pub async fn changed_after_all(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    after: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE m.instance_id = $1 AND m.room_id = $2 AND m.rev > $3 ORDER BY m.rev LIMIT $4"))
        .bind(instance.0).bind(room.0).bind(after).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(row).collect())
}

/// The newest `limit` messages `viewer` may see, oldest first (a page's first view).
pub async fn latest(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    limit: i64,
    viewer: Viewer,
) -> Result<Vec<MessageRow>, StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE m.instance_id = $1 AND m.room_id = $2", visible!("$3", "$4"),
        " ORDER BY m.seq DESC LIMIT $5"))
        .bind(instance.0).bind(room.0).bind(viewer.user.0).bind(viewer.now).bind(limit).fetch_all(&mut *c).await)?;
    let mut v: Vec<MessageRow> = rows.into_iter().map(row).collect();
    v.reverse();
    Ok(v)
}

/// The pinned messages of a room `viewer` may see, newest pin first.
pub async fn pinned(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    viewer: Viewer,
) -> Result<Vec<MessageRow>, StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE m.instance_id = $1 AND m.room_id = $2 AND m.pinned_at IS NOT NULL
            AND m.deleted_at IS NULL", visible!("$3", "$4"), " ORDER BY m.pinned_at DESC LIMIT 20"))
        .bind(instance.0).bind(room.0).bind(viewer.user.0).bind(viewer.now)
        .fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(row).collect())
}

/// Replaces a message's body (an edit) and its search terms, and moves it to `rev`.
#[allow(clippy::too_many_arguments)]
pub async fn edit(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    rev: i64,
    body: &[u8],
    terms: &str,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET body = $5, rev = $4, edited_at = $6
         WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(rev).bind(body).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    search::put(c, instance, room, seq, terms).await
}

/// Empties a message (its place stays, marked deleted), takes it out of the search index and
/// moves it to `rev`.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    rev: i64,
    by: UserId,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET body = $5, rev = $4, deleted_at = $6, deleted_by = $7
         WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(rev).bind(Vec::<u8>::new()).bind(now)
        .bind(by.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    search::remove(c, instance, room, seq).await
}

/// Sets or clears one reaction and moves the message to `rev`.
#[allow(clippy::too_many_arguments)]
pub async fn react(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    rev: i64,
    user: UserId,
    emoji: &str,
    on: bool,
) -> Result<(), StoreError> {
    if on {
        on!(c, c => sqlx::query(
            "INSERT INTO chat_reactions (instance_id, room_id, seq, user_id, emoji)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(instance.0).bind(room.0).bind(seq).bind(user.0).bind(emoji)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    } else {
        on!(c, c => sqlx::query(
            "DELETE FROM chat_reactions WHERE instance_id = $1 AND room_id = $2 AND seq = $3
                 AND user_id = $4 AND emoji = $5")
            .bind(instance.0).bind(room.0).bind(seq).bind(user.0).bind(emoji)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    on!(c, c => sqlx::query(
        "UPDATE chat_messages SET rev = $4 WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq).bind(rev)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The reactions on messages seq `from..=to`: (seq, emoji, user).
pub async fn reactions(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, UserId)>, StoreError> {
    let rows: Vec<(i64, String, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT seq, emoji, user_id FROM chat_reactions WHERE instance_id = $1 AND room_id = $2
             AND seq >= $3 AND seq <= $4 ORDER BY seq, emoji, user_id")
        .bind(instance.0).bind(room.0).bind(from).bind(to).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(s, e, u)| (s, e, UserId(u)))
        .collect())
}

/// Moves the read marker of `user` forward to `seq` (never back).
pub async fn mark_read(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
    seq: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO chat_reads (instance_id, room_id, user_id, last_read) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, room_id, user_id) DO UPDATE SET last_read =
             CASE WHEN chat_reads.last_read > excluded.last_read THEN chat_reads.last_read
                  ELSE excluded.last_read END")
        .bind(instance.0).bind(room.0).bind(user.0).bind(seq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn last_read(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
) -> Result<i64, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT last_read FROM chat_reads WHERE instance_id = $1 AND room_id = $2 AND user_id = $3")
        .bind(instance.0).bind(room.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map_or(0, |r| r.0))
}

/// How many messages of others in a room `user` has not read (visible at `now`).
pub async fn unread(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM chat_messages m WHERE m.instance_id = $1 AND m.room_id = $2
             AND m.deleted_at IS NULL AND m.notice IS NULL AND m.author_id <> $3
             AND (m.visible_from IS NULL OR m.visible_from <= $4)
             AND m.seq > COALESCE((SELECT rd.last_read FROM chat_reads rd
                 WHERE rd.instance_id = $1 AND rd.room_id = $2 AND rd.user_id = $3), 0)")
        .bind(instance.0).bind(room.0).bind(user.0).bind(now).fetch_one(&mut *c).await)?;
    Ok(n)
}
