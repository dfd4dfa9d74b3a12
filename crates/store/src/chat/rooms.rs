//! Room rows, who belongs to them, the list with unread counts, and the room's sequence.

use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use super::RoomId;
use crate::{AsConn, StoreError, on};

/// A stored room. `name` of a group room is the group's current name.
#[derive(Clone, Debug)]
pub struct RoomRow {
    pub id: RoomId,
    pub kind: String,
    pub name: String,
    pub group_id: Option<GroupId>,
    pub created_by: Option<UserId>,
    pub locked: bool,
    pub announce: bool,
    pub last_seq: i64,
}

/// A new room; `direct_key` only for direct rooms, `group` only for group rooms.
pub struct NewRoom<'a> {
    pub id: RoomId,
    pub kind: &'a str,
    pub name: &'a str,
    pub group: Option<GroupId>,
    pub direct_key: Option<&'a str>,
    pub created_by: Option<UserId>,
}

type Raw = (
    Uuid,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    bool,
    bool,
    i64,
);

fn row(r: Raw) -> RoomRow {
    RoomRow {
        id: RoomId(r.0),
        kind: r.1,
        name: r.2,
        group_id: r.3.map(GroupId),
        created_by: r.4.map(UserId),
        locked: r.5,
        announce: r.6,
        last_seq: r.7,
    }
}

/// Inserts a room unless one for the same group or pair exists; whether it was inserted.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    r: &NewRoom<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO chat_rooms (instance_id, id, kind, name, group_id, direct_key, created_by,
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(r.id.0).bind(r.kind).bind(r.name).bind(r.group.map(|g| g.0))
        .bind(r.direct_key).bind(r.created_by.map(|u| u.0)).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The groups of `user` that have no room yet (made on the user's next look at the list).
pub async fn groups_without_room(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<(GroupId, String)>, StoreError> {
    let rows: Vec<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT g.id, g.name FROM memberships m JOIN user_groups g
             ON g.instance_id = m.instance_id AND g.id = m.group_id
         WHERE m.instance_id = $1 AND m.user_id = $2 AND NOT EXISTS (SELECT 1 FROM chat_rooms r
             WHERE r.instance_id = g.instance_id AND r.group_id = g.id)")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|(g, n)| (GroupId(g), n)).collect())
}

pub async fn find(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
) -> Result<Option<RoomRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT r.id, r.kind, COALESCE(g.name, r.name), r.group_id, r.created_by, r.locked,
                r.announce, r.last_seq
         FROM chat_rooms r LEFT JOIN user_groups g
             ON g.instance_id = r.instance_id AND g.id = r.group_id
         WHERE r.instance_id = $1 AND r.id = $2")
        .bind(instance.0).bind(room.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn find_direct(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &str,
) -> Result<Option<RoomId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM chat_rooms WHERE instance_id = $1 AND direct_key = $2")
        .bind(instance.0).bind(key).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| RoomId(r.0)))
}

/// The room of a group, if made.
pub async fn of_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
) -> Result<Option<RoomId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM chat_rooms WHERE instance_id = $1 AND group_id = $2")
        .bind(instance.0).bind(group.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| RoomId(r.0)))
}

pub async fn add_member(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO chat_members (instance_id, room_id, user_id, added_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(room.0).bind(user.0).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `user` belongs to the room, and whether it opened it (who moderates is the
/// policy's decision: `schulhof_authz::chat::moderates`).
pub async fn place(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
) -> Result<(bool, bool), StoreError> {
    let r: Option<(bool, bool)> = on!(c, c => sqlx::query_as(
        "SELECT
           (EXISTS (SELECT 1 FROM memberships m WHERE m.instance_id = r.instance_id
                AND m.group_id = r.group_id AND m.user_id = $3)
            OR EXISTS (SELECT 1 FROM chat_members cm WHERE cm.instance_id = r.instance_id
                AND cm.room_id = r.id AND cm.user_id = $3)),
           COALESCE(r.created_by = $3, FALSE)
         FROM chat_rooms r WHERE r.instance_id = $1 AND r.id = $2")
        .bind(instance.0).bind(room.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.unwrap_or((false, false)))
}

/// The other person of a direct room: id, `users.kind`, and whether both share a group.
pub async fn direct_peer(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    me: UserId,
) -> Result<Option<(UserId, String, bool)>, StoreError> {
    let r: Option<(Uuid, String, bool)> = on!(c, c => sqlx::query_as(
        "SELECT u.id, u.kind, EXISTS (SELECT 1 FROM memberships a JOIN memberships b
                ON b.instance_id = a.instance_id AND b.group_id = a.group_id
                WHERE a.instance_id = $1 AND a.user_id = $3 AND b.user_id = u.id)
         FROM chat_members cm JOIN users u ON u.instance_id = cm.instance_id AND u.id = cm.user_id
         WHERE cm.instance_id = $1 AND cm.room_id = $2 AND cm.user_id <> $3")
        .bind(instance.0).bind(room.0).bind(me.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(u, k, s)| (UserId(u), k, s)))
}

/// Whether two logins share a group.
pub async fn share_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    a: UserId,
    b: UserId,
) -> Result<bool, StoreError> {
    let (s,): (bool,) = on!(c, c => sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM memberships x JOIN memberships y
             ON y.instance_id = x.instance_id AND y.group_id = x.group_id
             WHERE x.instance_id = $1 AND x.user_id = $2 AND y.user_id = $3)")
        .bind(instance.0).bind(a.0).bind(b.0).fetch_one(&mut *c).await)?;
    Ok(s)
}

/// One line of a caller's room list.
#[derive(Clone, Debug)]
pub struct ListedRoom {
    pub room: RoomRow,
    pub unread: i64,
}

/// The rooms of `user` with the messages of others it has not read: one statement.
pub async fn list_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<ListedRoom>, StoreError> {
    type Line = (
        Uuid,
        String,
        String,
        Option<Uuid>,
        Option<Uuid>,
        bool,
        bool,
        i64,
        i64,
    );
    let rows: Vec<Line> = on!(c, c => sqlx::query_as(
        "SELECT r.id, r.kind,
            COALESCE(g.name, (SELECT u.first_name || ' ' || u.last_name FROM chat_members o
                JOIN users u ON u.instance_id = o.instance_id AND u.id = o.user_id
                WHERE o.instance_id = r.instance_id AND o.room_id = r.id AND o.user_id <> $2
                  AND r.kind = 'direct'), r.name),
            r.group_id, r.created_by, r.locked, r.announce, r.last_seq,
            (SELECT COUNT(*) FROM chat_messages m WHERE m.instance_id = r.instance_id
                AND m.room_id = r.id AND m.deleted_at IS NULL AND m.notice IS NULL
                AND m.author_id <> $2
                AND m.seq > COALESCE((SELECT rd.last_read FROM chat_reads rd
                    WHERE rd.instance_id = r.instance_id AND rd.room_id = r.id
                      AND rd.user_id = $2), 0))
         FROM chat_rooms r LEFT JOIN user_groups g
             ON g.instance_id = r.instance_id AND g.id = r.group_id
         WHERE r.instance_id = $1 AND (
             EXISTS (SELECT 1 FROM memberships m WHERE m.instance_id = r.instance_id
                 AND m.group_id = r.group_id AND m.user_id = $2)
             OR EXISTS (SELECT 1 FROM chat_members cm WHERE cm.instance_id = r.instance_id
                 AND cm.room_id = r.id AND cm.user_id = $2))
         ORDER BY r.kind, r.created_at")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ListedRoom {
            room: row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7)),
            unread: r.8,
        })
        .collect())
}

pub async fn set_flags(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    locked: bool,
    announce: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE chat_rooms SET locked = $3, announce = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(room.0).bind(locked).bind(announce)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes the room's next sequence number. The row lock (PostgreSQL) or the write lock
/// (SQLite) serialises writers of one room until their transaction ends, so numbers are
/// gap-free in commit order.
pub async fn next_seq(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE instance_id = $1 AND id = $2
         RETURNING last_seq")
        .bind(instance.0).bind(room.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// Who belongs to a room (group members or listed members).
pub async fn members(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
) -> Result<Vec<UserId>, StoreError> {
    let rows: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT m.user_id FROM chat_rooms r JOIN memberships m
             ON m.instance_id = r.instance_id AND m.group_id = r.group_id
         WHERE r.instance_id = $1 AND r.id = $2
         UNION SELECT cm.user_id FROM chat_members cm WHERE cm.instance_id = $1 AND cm.room_id = $2")
        .bind(instance.0).bind(room.0).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}
