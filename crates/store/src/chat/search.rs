//! The full-text index of chat messages: FTS5 on SQLite, a tsvector with a GIN index on
//! PostgreSQL. Bodies are sealed, so what is indexed are keyed hashes of word prefixes that
//! the domain makes (`terms`: space-separated words of the letters a-p); the same terms
//! find the same messages on both backends. The message store writes a message's terms in
//! the statement sequence of its insert, edit and delete; the database's triggers (SQLite)
//! and foreign keys keep the index in step with anything else that removes messages.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::RoomId;
use crate::{AsConn, Conn, StoreError, on};

/// Sets the indexed terms of a message (replacing earlier ones).
pub async fn put(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    terms: &str,
) -> Result<(), StoreError> {
    macro_rules! upsert {
        ($value:literal) => {
            concat!(
                "INSERT INTO chat_search_docs (instance_id, room_id, seq, search) VALUES ($1, $2, $3, ",
                $value,
                ") ON CONFLICT (instance_id, room_id, seq) DO UPDATE SET search = excluded.search"
            )
        };
    }
    match c.conn() {
        Conn::Sqlite(c) => sqlx::query(upsert!("$4"))
            .bind(instance.0)
            .bind(room.0)
            .bind(seq)
            .bind(terms)
            .execute(&mut *c)
            .await
            .map(|_| ())?,
        Conn::Pg(c) => sqlx::query(upsert!("to_tsvector('simple', $4)"))
            .bind(instance.0)
            .bind(room.0)
            .bind(seq)
            .bind(terms)
            .execute(&mut *c)
            .await
            .map(|_| ())?,
    }
    Ok(())
}

/// Takes a message out of the index (it was deleted).
pub async fn remove(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM chat_search_docs WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(instance.0).bind(room.0).bind(seq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One message found: a visible, undeleted message of a room of the searching login.
#[derive(Clone, Debug)]
pub struct Hit {
    pub room: RoomId,
    pub room_name: String,
    pub seq: i64,
    pub author_name: String,
    /// Sealed: the domain opens it (and checks the words once more).
    pub body: Vec<u8>,
    pub created_at: i64,
}

/// Who searches, when, and for which terms (every one must match).
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    pub user: UserId,
    pub now: i64,
    pub terms: &'a [String],
    pub limit: i64,
}

/// Columns, joins and filters shared by both backends: `$1` school, `$2` login, `$3` now,
/// `$4` limit. What the searcher may see is decided here, in the one statement: a member
/// of the room (group rooms by the group's members now), not deleted, not a notice, held
/// messages only their author's, nothing older than the school's deletion period.
macro_rules! search_sql {
    ($from:literal, $matches:literal) => {
        concat!(
            "SELECT r.id, COALESCE(g.name, r.name), m.seq,
                    COALESCE(u.first_name || ' ' || u.last_name, ''), m.body, m.created_at
             FROM ",
            $from,
            " JOIN chat_messages m ON m.instance_id = d.instance_id AND m.room_id = d.room_id
                 AND m.seq = d.seq
               JOIN chat_rooms r ON r.instance_id = m.instance_id AND r.id = m.room_id
               LEFT JOIN user_groups g ON g.instance_id = r.instance_id AND g.id = r.group_id
               LEFT JOIN users u ON u.instance_id = m.instance_id AND u.id = m.author_id
               LEFT JOIN chat_settings cs ON cs.instance_id = m.instance_id
             WHERE ",
            $matches,
            " AND d.instance_id = $1 AND m.deleted_at IS NULL AND m.notice IS NULL
               AND (m.visible_from IS NULL OR m.visible_from <= $3 OR m.author_id = $2)
               AND (cs.retention_days IS NULL OR m.created_at >= $3 - cs.retention_days * 86400000000)
               AND (EXISTS (SELECT 1 FROM memberships ms WHERE ms.instance_id = r.instance_id
                       AND ms.group_id = r.group_id AND ms.user_id = $2)
                    OR EXISTS (SELECT 1 FROM chat_members cm WHERE cm.instance_id = r.instance_id
                       AND cm.room_id = r.id AND cm.user_id = $2))
             ORDER BY m.created_at DESC, m.room_id, m.seq DESC LIMIT $4"
        )
    };
}

type Raw = (Uuid, String, i64, String, Vec<u8>, i64);

/// The newest messages of the searcher's rooms holding every term, newest first.
pub async fn search(
    c: &mut impl AsConn,
    instance: InstanceId,
    q: Query<'_>,
) -> Result<Vec<Hit>, StoreError> {
    if q.terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Raw> = match c.conn() {
        // FTS5: terms separated by spaces must all occur (implicit AND).
        Conn::Sqlite(c) => {
            sqlx::query_as(search_sql!(
                "chat_search s JOIN chat_search_docs d ON d.id = s.rowid",
                "chat_search MATCH $5"
            ))
            .bind(instance.0)
            .bind(q.user.0)
            .bind(q.now)
            .bind(q.limit)
            .bind(q.terms.join(" "))
            .fetch_all(&mut *c)
            .await?
        }
        Conn::Pg(c) => {
            sqlx::query_as(search_sql!(
                "chat_search_docs d",
                "d.search @@ to_tsquery('simple', $5)"
            ))
            .bind(instance.0)
            .bind(q.user.0)
            .bind(q.now)
            .bind(q.limit)
            .bind(q.terms.join(" & "))
            .fetch_all(&mut *c)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| Hit {
            room: RoomId(r.0),
            room_name: r.1,
            seq: r.2,
            author_name: r.3,
            body: r.4,
            created_at: r.5,
        })
        .collect())
}

/// A message written before the index, waiting to be indexed.
#[derive(Clone, Debug)]
pub struct Unindexed {
    pub instance: InstanceId,
    pub room: RoomId,
    pub seq: i64,
    pub body: Vec<u8>,
}

/// Up to `limit` messages of the backlog (of every school).
pub async fn system_backlog(c: &mut impl AsConn, limit: i64) -> Result<Vec<Unindexed>, StoreError> {
    let rows: Vec<(Uuid, Uuid, i64, Vec<u8>)> = on!(c, c => sqlx::query_as(
        "SELECT b.instance_id, b.room_id, b.seq, m.body FROM chat_search_backlog b
           JOIN chat_messages m ON m.instance_id = b.instance_id AND m.room_id = b.room_id
             AND m.seq = b.seq
         ORDER BY b.instance_id, b.room_id, b.seq LIMIT $1")
        .bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(i, r, seq, body)| Unindexed {
            instance: InstanceId(i),
            room: RoomId(r),
            seq,
            body,
        })
        .collect())
}

/// Indexes a message of the backlog and drops it from there: not when it was deleted
/// meanwhile, nor over the terms of an edit made meanwhile (those are newer). False when
/// another node did it first.
pub async fn settle_backlog(
    c: &mut impl AsConn,
    m: &Unindexed,
    terms: &str,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM chat_search_backlog WHERE instance_id = $1 AND room_id = $2 AND seq = $3")
        .bind(m.instance.0).bind(m.room.0).bind(m.seq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    macro_rules! first {
        ($value:literal) => {
            concat!(
                "INSERT INTO chat_search_docs (instance_id, room_id, seq, search)
                 SELECT instance_id, room_id, seq, ",
                $value,
                " FROM chat_messages WHERE instance_id = $1 AND room_id = $2 AND seq = $3
                     AND deleted_at IS NULL
                 ON CONFLICT (instance_id, room_id, seq) DO NOTHING"
            )
        };
    }
    match c.conn() {
        Conn::Sqlite(c) => sqlx::query(first!("$4"))
            .bind(m.instance.0)
            .bind(m.room.0)
            .bind(m.seq)
            .bind(terms)
            .execute(&mut *c)
            .await
            .map(|_| ())?,
        Conn::Pg(c) => sqlx::query(first!("to_tsvector('simple', $4)"))
            .bind(m.instance.0)
            .bind(m.room.0)
            .bind(m.seq)
            .bind(terms)
            .execute(&mut *c)
            .await
            .map(|_| ())?,
    }
    Ok(true)
}

/// Test support: copies message `seq` of a room `n` times as the room's next messages (one
/// microsecond apart, after the original), with its search terms.
#[cfg(feature = "testing")]
pub async fn testing_copies(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
    n: i64,
) -> Result<(), StoreError> {
    macro_rules! copy {
        ($table:literal, $cols:literal, $vals:literal) => {
            concat!(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $4)
                 INSERT INTO ",
                $table,
                " (instance_id, room_id, seq, ",
                $cols,
                ") SELECT x.instance_id, x.room_id, r.last_seq + k.i, ",
                $vals,
                " FROM k, ",
                $table,
                " x JOIN chat_rooms r ON r.instance_id = x.instance_id AND r.id = x.room_id
                 WHERE x.instance_id = $1 AND x.room_id = $2 AND x.seq = $3"
            )
        };
    }
    for sql in [
        copy!(
            "chat_messages",
            "rev, author_id, body, created_at",
            "r.last_seq + k.i, x.author_id, x.body, x.created_at + k.i"
        ),
        copy!("chat_search_docs", "search", "x.search"),
        "UPDATE chat_rooms SET last_seq = last_seq + $4
         WHERE instance_id = $1 AND id = $2 AND $3 = $3",
    ] {
        on!(c, c => sqlx::query(sql).bind(instance.0).bind(room.0).bind(seq).bind(n)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Test support: makes a message one written before the index (not indexed, in the
/// backlog).
#[cfg(feature = "testing")]
pub async fn testing_unindex(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    seq: i64,
) -> Result<(), StoreError> {
    remove(c, instance, room, seq).await?;
    on!(c, c => sqlx::query(
        "INSERT INTO chat_search_backlog (instance_id, room_id, seq) VALUES ($1, $2, $3)")
        .bind(instance.0).bind(room.0).bind(seq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
