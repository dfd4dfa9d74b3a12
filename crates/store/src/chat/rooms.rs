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
    /// What [`find_for`] adds for one member (defaults elsewhere).
    pub extra: RoomExtra,
}

/// A room's settings and the caller's state in it, read with the room.
#[derive(Clone, Debug, Default)]
pub struct RoomExtra {
    /// Quiet hours in force (the room's own, else the school's default), minutes after
    /// local midnight.
    pub quiet: Option<(i64, i64)>,
    /// The school's deletion period for chat messages, in days.
    pub retention_days: Option<i64>,
    /// The caller is muted until then (µs), if a mute was ever set.
    pub muted_until: Option<i64>,
    /// The caller wants no notifications from the room.
    pub silenced: bool,
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
        extra: RoomExtra::default(),
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

/// The room with its settings and `user`'s mute and silencing.
pub async fn find_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    user: UserId,
) -> Result<Option<RoomRow>, StoreError> {
    type Full = (
        Uuid,
        String,
        String,
        Option<Uuid>,
        Option<Uuid>,
        bool,
        bool,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        bool,
    );
    let r: Option<Full> = on!(c, c => sqlx::query_as(
        "SELECT r.id, r.kind, COALESCE(g.name, r.name), r.group_id, r.created_by, r.locked,
                r.announce, r.last_seq,
                CASE WHEN r.quiet_from IS NULL THEN cs.quiet_from ELSE r.quiet_from END,
                CASE WHEN r.quiet_from IS NULL THEN cs.quiet_to ELSE r.quiet_to END,
                cs.retention_days, mu.until,
                EXISTS (SELECT 1 FROM chat_silenced si WHERE si.instance_id = r.instance_id
                    AND si.room_id = r.id AND si.user_id = $3)
         FROM chat_rooms r LEFT JOIN user_groups g
             ON g.instance_id = r.instance_id AND g.id = r.group_id
           LEFT JOIN chat_settings cs ON cs.instance_id = r.instance_id
           LEFT JOIN chat_mutes mu ON mu.instance_id = r.instance_id AND mu.room_id = r.id
             AND mu.user_id = $3
         WHERE r.instance_id = $1 AND r.id = $2")
        .bind(instance.0).bind(room.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|x| {
        let mut row = row((x.0, x.1, x.2, x.3, x.4, x.5, x.6, x.7));
        row.extra = RoomExtra {
            quiet: x.8.zip(x.9),
            retention_days: x.10,
            muted_until: x.11,
            silenced: x.12,
        };
        row
    }))
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
    /// The other person of a direct room: id, `users.kind`, function role, and whether
    /// both share a group (read with the list, so the list costs one statement).
    pub peer: Option<(UserId, String, Option<String>, bool)>,
}

/// Unread messages of others, visible at `now` (`$3`), in room `r` for user `$2`.
macro_rules! unread_sql {
    () => {
        "(SELECT COUNT(*) FROM chat_messages m WHERE m.instance_id = r.instance_id
             AND m.room_id = r.id AND m.deleted_at IS NULL AND m.notice IS NULL
             AND m.author_id <> $2 AND (m.visible_from IS NULL OR m.visible_from <= $3)
             AND m.seq > COALESCE((SELECT rd.last_read FROM chat_reads rd
                 WHERE rd.instance_id = r.instance_id AND rd.room_id = r.id
                   AND rd.user_id = $2), 0))"
    };
}

const LIST_SQL: &str = concat!(
    "SELECT r.id, r.kind,
        COALESCE(g.name, pu.first_name || ' ' || pu.last_name, r.name),
        r.group_id, r.created_by, r.locked, r.announce, r.last_seq, ",
    unread_sql!(),
    ",
        mu.until,
        EXISTS (SELECT 1 FROM chat_silenced si WHERE si.instance_id = r.instance_id
            AND si.room_id = r.id AND si.user_id = $2),
        CASE WHEN r.quiet_from IS NULL THEN cs.quiet_from ELSE r.quiet_from END,
        CASE WHEN r.quiet_from IS NULL THEN cs.quiet_to ELSE r.quiet_to END,
        cs.retention_days, pu.id, pu.kind, pu.function_role,
        EXISTS (SELECT 1 FROM memberships a JOIN memberships b
            ON b.instance_id = a.instance_id AND b.group_id = a.group_id
            WHERE a.instance_id = r.instance_id AND a.user_id = $2 AND b.user_id = pu.id)
     FROM chat_rooms r LEFT JOIN user_groups g
         ON g.instance_id = r.instance_id AND g.id = r.group_id
       LEFT JOIN chat_settings cs ON cs.instance_id = r.instance_id
       LEFT JOIN chat_mutes mu ON mu.instance_id = r.instance_id AND mu.room_id = r.id
         AND mu.user_id = $2
       LEFT JOIN chat_members po ON r.kind = 'direct' AND po.instance_id = r.instance_id
         AND po.room_id = r.id AND po.user_id <> $2
       LEFT JOIN users pu ON pu.instance_id = po.instance_id AND pu.id = po.user_id
     WHERE r.instance_id = $1 AND (
         EXISTS (SELECT 1 FROM memberships m WHERE m.instance_id = r.instance_id
             AND m.group_id = r.group_id AND m.user_id = $2)
         OR EXISTS (SELECT 1 FROM chat_members cm WHERE cm.instance_id = r.instance_id
             AND cm.room_id = r.id AND cm.user_id = $2))
     ORDER BY r.kind, r.created_at"
);

macro_rules! decode_listed {
    ($r:expr) => {{
        use sqlx::Row;
        let r = $r;
        let mut room = row((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
            r.try_get(7)?,
        ));
        let (f, t): (Option<i64>, Option<i64>) = (r.try_get(11)?, r.try_get(12)?);
        room.extra = RoomExtra {
            quiet: f.zip(t),
            retention_days: r.try_get(13)?,
            muted_until: r.try_get(9)?,
            silenced: r.try_get(10)?,
        };
        let peer: Option<Uuid> = r.try_get(14)?;
        let kind: Option<String> = r.try_get(15)?;
        let role: Option<String> = r.try_get(16)?;
        let shares: bool = r.try_get(17)?;
        Ok::<_, sqlx::Error>(ListedRoom {
            room,
            unread: r.try_get(8)?,
            peer: peer.zip(kind).map(|(p, k)| (UserId(p), k, role, shares)),
        })
    }};
}

/// The rooms of `user` with the messages of others it has not read (visible at `now`),
/// its mute and silencing, the settings in force and the peer of direct rooms: one
/// statement however many rooms.
pub async fn list_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    now: i64,
) -> Result<Vec<ListedRoom>, StoreError> {
    let rows = on!(c, c => {
        let raw = sqlx::query(LIST_SQL).bind(instance.0).bind(user.0).bind(now)
            .fetch_all(&mut *c).await?;
        raw.iter().map(|r| decode_listed!(r)).collect::<Result<Vec<_>, _>>()?
    });
    Ok(rows)
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
