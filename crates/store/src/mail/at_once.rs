//! PostgreSQL's one-statement changes of a mailbox: a flag change, an EXPUNGE and a single
//! message filed into a folder, each a data-modifying CTE without a transaction around it.
//! On PostgreSQL every statement is a network round trip, and these are a mail program's
//! most frequent writes; SQLite's writer is in-process, so there each returns `None` and the
//! caller takes the transaction way.

use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use uuid::Uuid;

use super::messages::{FlagRow, MessageRow};
use crate::{AsConn, Conn, StoreError, to_us};

/// What [`insert_one_within_quota`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FiledOne {
    /// Stored: (UID, MODSEQ, UIDVALIDITY).
    Filed(i64, i64, i64),
    /// The mailbox holds too much for it; nothing changed.
    OverQuota,
    /// No such folder of that owner; nothing changed.
    NoFolder,
}

/// The line of the traffic log a delivery writes with its message (see `traffic::record`).
#[derive(Clone, Debug)]
pub struct TrafficLine<'a> {
    pub id: Uuid,
    pub direction: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub subject: &'a str,
}

/// PostgreSQL: one message into one folder in ONE statement without a transaction around
/// it — the quota check with the new use, the folder's next UID and MODSEQ, the row and the
/// search text, and for a delivery its line in the traffic log (IMAP APPEND, an own copy
/// into Sent, mail to one person; on PostgreSQL these were six round trips and more with
/// BEGIN and COMMIT). The use row is locked before the folder's row, the order every
/// delivery takes. `m.uid` and `m.modseq` are ignored (the folder gives them). `None` on
/// SQLite (its writer is in-process: one transaction costs no round trips there).
pub async fn insert_one_within_quota(
    c: &mut impl AsConn,
    instance: InstanceId,
    m: &MessageRow,
    quota: i64,
    text: &str,
    traffic: Option<&TrafficLine<'_>>,
) -> Result<Option<FiledOne>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    if m.size > quota {
        return Ok(Some(FiledOne::OverQuota));
    }
    type R = (i64, bool, Option<i64>, Option<i64>, Option<i64>);
    let (used, folder, uid, modseq, validity): R = sqlx::query_as(
        "WITH u AS (
           INSERT INTO mail_usage (instance_id, owner_id, bytes)
           SELECT $1, $3, $6 WHERE EXISTS (
             SELECT 1 FROM mail_folders WHERE instance_id = $1 AND id = $4 AND owner_id = $3)
           ON CONFLICT (instance_id, owner_id) DO UPDATE SET bytes = mail_usage.bytes + excluded.bytes
           WHERE mail_usage.bytes + excluded.bytes <= $23
           RETURNING bytes),
         f AS (
           UPDATE mail_folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
           WHERE instance_id = $1 AND id = $4 AND owner_id = $3 AND EXISTS (SELECT 1 FROM u)
           RETURNING uid_next - 1 AS uid, highest_modseq, uid_validity),
         m AS (
           INSERT INTO mail_messages (instance_id, id, owner_id, folder_id, uid, modseq, blob_sha,
             size, received_at, sent_at, seen, answered, flagged, deleted, draft, keywords,
             subject, from_addr, from_name, to_addrs, cc_addrs, message_id, has_attachments,
             preview)
           SELECT $1, $2, $3, $4, f.uid, f.highest_modseq, $5, $6, $7, $8, $9, $10, $11, $12,
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22 FROM f
           RETURNING 1),
         t AS (
           INSERT INTO mail_texts (blob_sha, text) SELECT $5, $24 WHERE EXISTS (SELECT 1 FROM m)
           ON CONFLICT (blob_sha) DO NOTHING),
         r AS (
           INSERT INTO mail_traffic (instance_id, id, at, direction, sender, recipient,
             message_id, size, subject)
           SELECT $1, $25, $7, $26, $27, $28, $29, $6, $30
           WHERE CAST($25 AS uuid) IS NOT NULL AND EXISTS (SELECT 1 FROM m))
         SELECT (SELECT count(*) FROM u),
           EXISTS (SELECT 1 FROM mail_folders WHERE instance_id = $1 AND id = $4 AND owner_id = $3),
           f.uid, f.highest_modseq, f.uid_validity
         FROM (SELECT 1) AS one LEFT JOIN f ON TRUE",
    )
    .bind(instance.0)
    .bind(m.id.0)
    .bind(m.owner.0)
    .bind(m.folder.0)
    .bind(&m.blob_sha)
    .bind(m.size)
    .bind(to_us(m.received_at))
    .bind(m.sent_at.map(to_us))
    .bind(m.flags.seen)
    .bind(m.flags.answered)
    .bind(m.flags.flagged)
    .bind(m.flags.deleted)
    .bind(m.flags.draft)
    .bind(&m.flags.keywords)
    .bind(&m.subject)
    .bind(&m.from_addr)
    .bind(&m.from_name)
    .bind(&m.to_addrs)
    .bind(&m.cc_addrs)
    .bind(&m.message_id)
    .bind(m.has_attachments)
    .bind(&m.preview)
    .bind(quota)
    .bind(text)
    .bind(traffic.map(|l| l.id))
    .bind(traffic.map(|l| l.direction))
    .bind(traffic.map(|l| l.sender))
    .bind(traffic.map(|l| l.recipient))
    .bind(traffic.map(|l| l.message_id))
    .bind(traffic.map(|l| l.subject))
    .fetch_one(&mut *c)
    .await?;
    Ok(Some(match (uid, modseq, validity) {
        (Some(uid), Some(modseq), Some(validity)) => FiledOne::Filed(uid, modseq, validity),
        _ if used > 0 => {
            // The use was taken, but the folder's row was gone by the time it was changed
            // (deleted at that very moment): nothing else was written; the use goes back.
            sqlx::query(
                "UPDATE mail_usage SET bytes = bytes - $3 WHERE instance_id = $1 AND owner_id = $2",
            )
            .bind(instance.0)
            .bind(m.owner.0)
            .bind(m.size)
            .execute(&mut *c)
            .await?;
            FiledOne::NoFolder
        }
        _ if !folder => FiledOne::NoFolder,
        _ => FiledOne::OverQuota,
    }))
}

/// PostgreSQL: a new MODSEQ of the owner's folder and the flags `f` on the messages `rows`
/// (id, the MODSEQ they were read with) that still have that MODSEQ, in ONE statement with
/// no transaction around it (a flag change is a mail program's most frequent write; on
/// PostgreSQL BEGIN, the MODSEQ, the change and COMMIT were four round trips). The folder's
/// row is locked before any message row, in the order every other change of the folder
/// takes; `uid_range` (the messages' lowest and highest UID) keeps the scan on the folder's
/// (folder, UID) index in a generic plan. Returns the MODSEQ and the ids changed; none, when
/// the folder is gone or every message changed meanwhile. `None` on SQLite (its writer is in-process: one transaction
/// costs no round trips there).
pub async fn set_flags_if_unchanged(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    rows: &[(MailMessageId, i64)],
    uid_range: (i64, i64),
    f: &FlagRow,
) -> Result<Option<(i64, Vec<MailMessageId>)>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0.0).collect();
    let seqs: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let done: Vec<(Uuid, i64)> = sqlx::query_as(
        "WITH f AS (
           UPDATE mail_folders SET highest_modseq = highest_modseq + 1
           WHERE instance_id = $1 AND owner_id = $2 AND id = $3 RETURNING highest_modseq)
         UPDATE mail_messages m SET seen = $4, answered = $5, flagged = $6, deleted = $7,
           draft = $8, keywords = $9, modseq = f.highest_modseq
         FROM f, unnest($10::uuid[], $11::bigint[]) AS w(id, modseq)
         WHERE m.folder_id = $3 AND m.uid >= $12 AND m.uid <= $13 AND m.id = w.id
           AND m.modseq = w.modseq AND m.instance_id = $1
         RETURNING m.id, f.highest_modseq",
    )
    .bind(instance.0)
    .bind(owner.0)
    .bind(folder.0)
    .bind(f.seen)
    .bind(f.answered)
    .bind(f.flagged)
    .bind(f.deleted)
    .bind(f.draft)
    .bind(&f.keywords)
    .bind(&ids)
    .bind(&seqs)
    .bind(uid_range.0)
    .bind(uid_range.1)
    .fetch_all(&mut *c)
    .await?;
    let modseq = done.first().map_or(0, |d| d.1);
    Ok(Some((
        modseq,
        done.into_iter().map(|d| MailMessageId(d.0)).collect(),
    )))
}

/// PostgreSQL: EXPUNGE of the owner's messages `ids` that are still flagged \Deleted, in
/// ONE statement without a transaction around it — a new MODSEQ of the folder, the rows
/// gone with their tombstones (old ones pruned at every 64th MODSEQ: pruning reads all of
/// the folder's tombstones), the use given back (on PostgreSQL these were seven round trips
/// with BEGIN and COMMIT). The folder's row is locked first, as in every change of a folder;
/// `uid_range` (the lowest and highest UID of `ids`) keeps the scan on the folder's index in
/// a generic plan. Returns the MODSEQ and the UIDs removed (in order); none when nothing was
/// left to remove. `None` on SQLite.
pub async fn expunge_at_once(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    ids: &[MailMessageId],
    uid_range: (i64, i64),
) -> Result<Option<(i64, Vec<i64>)>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
    let gone: Vec<(i64, i64)> = sqlx::query_as(
        "WITH f AS (
           UPDATE mail_folders SET highest_modseq = highest_modseq + 1
           WHERE instance_id = $1 AND id = $2 AND owner_id = $3 RETURNING highest_modseq),
         d AS (
           DELETE FROM mail_messages m USING f
           WHERE m.folder_id = $2 AND m.deleted AND m.uid >= $6 AND m.uid <= $7
             AND m.id = ANY($4) AND m.instance_id = $1
           RETURNING m.uid, m.size, f.highest_modseq AS modseq),
         g AS (
           INSERT INTO mail_expunged (instance_id, folder_id, modseq, uid)
           SELECT $1, $2, d.modseq, d.uid FROM d ON CONFLICT DO NOTHING),
         p AS (
           DELETE FROM mail_expunged e
           WHERE (SELECT highest_modseq FROM f) % 64 = 0 AND e.folder_id = $2
             AND e.modseq < (SELECT highest_modseq FROM f) - $5 AND e.instance_id = $1),
         u AS (
           UPDATE mail_usage SET bytes = bytes - (SELECT sum(size) FROM d)
           WHERE instance_id = $1 AND owner_id = $3 AND EXISTS (SELECT 1 FROM d))
         SELECT d.uid, d.modseq FROM d ORDER BY d.uid",
    )
    .bind(instance.0)
    .bind(folder.0)
    .bind(owner.0)
    .bind(&ids)
    .bind(super::expunged::WINDOW)
    .bind(uid_range.0)
    .bind(uid_range.1)
    .fetch_all(&mut *c)
    .await?;
    let modseq = gone.first().map_or(0, |g| g.1);
    Ok(Some((modseq, gone.into_iter().map(|g| g.0).collect())))
}

/// What [`own_flags_at_once`] and [`own_expunge_at_once`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnChange<T> {
    /// The folder is not the owner's (or gone): nothing changed; the caller takes the
    /// general way (a delegated folder, or "not found").
    NotOwn,
    /// The folder's new MODSEQ (0 when nothing changed) and what changed.
    Done(i64, Vec<T>),
}

/// One message after a flag change: UID, MODSEQ and its flags.
pub type FlagsAfter = (i64, i64, FlagRow);

/// PostgreSQL: sets the system flags `set` and clears `clear` on the owner's messages `uids`
/// of `folder` that change by it, in ONE statement with no read before it: the folder is
/// checked to be the owner's in the same statement (a mail program's own folder is nearly
/// always the case; the caller decided the own mailbox's rights), the MODSEQ taken only when
/// a message changes, the folder's row locked first as in every change of a folder. A row
/// changed meanwhile is changed on what it holds then (adding or removing flags gives the
/// same result in any order). The scans name the UID range of `uids`: a prepared statement's
/// generic plan otherwise reads the whole folder instead of its (folder, UID) index.
/// `None` on SQLite.
pub async fn own_flags_at_once(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    uids: &[i64],
    set: &FlagRow,
    clear: &FlagRow,
) -> Result<Option<OwnChange<FlagsAfter>>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    type Raw = (i64, i64, bool, bool, bool, bool, bool, String);
    let rows: Vec<Raw> = sqlx::query_as(
        "WITH o AS (
           SELECT 1 FROM mail_folders WHERE instance_id = $1 AND owner_id = $2 AND id = $3),
         t AS (
           SELECT m.id FROM mail_messages m
           WHERE m.folder_id = $3 AND m.uid >= $15 AND m.uid <= $16 AND m.uid = ANY($4)
             AND m.instance_id = $1 AND EXISTS (SELECT 1 FROM o)
             AND (m.seen, m.answered, m.flagged, m.deleted, m.draft) IS DISTINCT FROM
                 ((m.seen AND NOT $10) OR $5, (m.answered AND NOT $11) OR $6,
                  (m.flagged AND NOT $12) OR $7, (m.deleted AND NOT $13) OR $8,
                  (m.draft AND NOT $14) OR $9)),
         f AS (
           UPDATE mail_folders SET highest_modseq = highest_modseq + 1
           WHERE instance_id = $1 AND owner_id = $2 AND id = $3 AND EXISTS (SELECT 1 FROM t)
           RETURNING highest_modseq),
         u AS (
           UPDATE mail_messages m SET seen = (m.seen AND NOT $10) OR $5,
             answered = (m.answered AND NOT $11) OR $6, flagged = (m.flagged AND NOT $12) OR $7,
             deleted = (m.deleted AND NOT $13) OR $8, draft = (m.draft AND NOT $14) OR $9,
             modseq = f.highest_modseq
           FROM f, t WHERE m.folder_id = $3 AND m.uid >= $15 AND m.uid <= $16 AND m.id = t.id
             AND m.instance_id = $1
           RETURNING m.uid, m.modseq, m.seen, m.answered, m.flagged, m.deleted, m.draft, m.keywords)
         SELECT CAST(-1 AS BIGINT), CAST(0 AS BIGINT), FALSE, FALSE, FALSE, FALSE, FALSE, '' FROM o
         UNION ALL SELECT * FROM u ORDER BY 1",
    )
    .bind(instance.0)
    .bind(owner.0)
    .bind(folder.0)
    .bind(uids)
    .bind(set.seen)
    .bind(set.answered)
    .bind(set.flagged)
    .bind(set.deleted)
    .bind(set.draft)
    .bind(clear.seen)
    .bind(clear.answered)
    .bind(clear.flagged)
    .bind(clear.deleted)
    .bind(clear.draft)
    .bind(uids.iter().min().copied().unwrap_or(1))
    .bind(uids.iter().max().copied().unwrap_or(0))
    .fetch_all(&mut *c)
    .await?;
    let mut rows = rows.into_iter();
    if rows.next().is_none_or(|r| r.0 != -1) {
        return Ok(Some(OwnChange::NotOwn));
    }
    let after: Vec<FlagsAfter> = rows
        .map(|r| {
            let flags = FlagRow {
                seen: r.2,
                answered: r.3,
                flagged: r.4,
                deleted: r.5,
                draft: r.6,
                keywords: r.7,
            };
            (r.0, r.1, flags)
        })
        .collect();
    let modseq = after.first().map_or(0, |a| a.1);
    Ok(Some(OwnChange::Done(modseq, after)))
}

/// PostgreSQL: EXPUNGE of the owner's folder in ONE statement with no read before it — the
/// folder checked to be the owner's, its messages flagged \Deleted (only those among `only`,
/// if given) removed with a new MODSEQ (taken only when something is removed), tombstones
/// written and old ones pruned (at every 64th MODSEQ), the use given back. Returns the UIDs
/// removed in order. The scans name the UID range: a prepared statement's generic plan
/// otherwise reads the whole folder instead of its (folder, UID) index.
/// `None` on SQLite.
pub async fn own_expunge_at_once(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    only: Option<&[i64]>,
) -> Result<Option<OwnChange<i64>>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "WITH o AS (
           SELECT 1 FROM mail_folders WHERE instance_id = $1 AND owner_id = $3 AND id = $2),
         t AS (
           SELECT m.id FROM mail_messages m
           WHERE m.folder_id = $2 AND m.deleted AND m.uid >= $6 AND m.uid <= $7
             AND m.instance_id = $1 AND EXISTS (SELECT 1 FROM o)
             AND ($4::bigint[] IS NULL OR m.uid = ANY($4))),
         f AS (
           UPDATE mail_folders SET highest_modseq = highest_modseq + 1
           WHERE instance_id = $1 AND id = $2 AND owner_id = $3 AND EXISTS (SELECT 1 FROM t)
           RETURNING highest_modseq),
         d AS (
           DELETE FROM mail_messages m USING f, t
           WHERE m.folder_id = $2 AND m.deleted AND m.uid >= $6 AND m.uid <= $7 AND m.id = t.id
             AND m.instance_id = $1
           RETURNING m.uid, m.size, f.highest_modseq AS modseq),
         g AS (
           INSERT INTO mail_expunged (instance_id, folder_id, modseq, uid)
           SELECT $1, $2, d.modseq, d.uid FROM d ON CONFLICT DO NOTHING),
         p AS (
           DELETE FROM mail_expunged e
           WHERE (SELECT highest_modseq FROM f) % 64 = 0 AND e.folder_id = $2
             AND e.modseq < (SELECT highest_modseq FROM f) - $5 AND e.instance_id = $1),
         u AS (
           UPDATE mail_usage SET bytes = bytes - (SELECT sum(size) FROM d)
           WHERE instance_id = $1 AND owner_id = $3 AND EXISTS (SELECT 1 FROM d))
         SELECT CAST(-1 AS BIGINT), CAST(0 AS BIGINT) FROM o
         UNION ALL SELECT d.uid, d.modseq FROM d ORDER BY 1",
    )
    .bind(instance.0)
    .bind(folder.0)
    .bind(owner.0)
    .bind(only)
    .bind(super::expunged::WINDOW)
    .bind(only.and_then(|o| o.iter().min().copied()).unwrap_or(0))
    .bind(
        only.and_then(|o| o.iter().max().copied())
            .unwrap_or(i64::MAX),
    )
    .fetch_all(&mut *c)
    .await?;
    let mut rows = rows.into_iter();
    if rows.next().is_none_or(|r| r.0 != -1) {
        return Ok(Some(OwnChange::NotOwn));
    }
    let gone: Vec<(i64, i64)> = rows.collect();
    let modseq = gone.first().map_or(0, |g| g.1);
    Ok(Some(OwnChange::Done(
        modseq,
        gone.into_iter().map(|g| g.0).collect(),
    )))
}
