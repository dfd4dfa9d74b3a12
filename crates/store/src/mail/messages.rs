//! Messages of mail folders: envelope columns, flags, UIDs and MODSEQs. The content is a blob.
//!
//! Every change to a folder's messages (insert, flags, move, delete) takes a new MODSEQ of
//! the folder (`folders::take_uids` / `take_modseq`) in the same transaction: nodes keep
//! copies of folders' UID lists and trust them only while the folder's HIGHESTMODSEQ is the
//! one they were read at.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, push_in_list, to_us};

pub use super::at_once::{
    FiledOne, FlagsAfter, OwnChange, TrafficLine, expunge_at_once, insert_one_within_quota,
    own_expunge_at_once, own_flags_at_once, set_flags_if_unchanged,
};

/// The IMAP system flags and keywords of a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagRow {
    pub seen: bool,
    pub answered: bool,
    pub flagged: bool,
    pub deleted: bool,
    pub draft: bool,
    /// Space-separated keywords.
    pub keywords: String,
}

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub id: MailMessageId,
    pub owner: UserId,
    pub folder: MailFolderId,
    pub uid: i64,
    pub modseq: i64,
    pub blob_sha: String,
    pub size: i64,
    pub received_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub flags: FlagRow,
    pub subject: String,
    pub from_addr: String,
    pub from_name: String,
    pub to_addrs: String,
    pub cc_addrs: String,
    pub message_id: String,
    pub has_attachments: bool,
    pub preview: String,
}

macro_rules! columns {
    () => {
        "id, owner_id, folder_id, uid, modseq, blob_sha, size, received_at, sent_at, seen, answered, flagged, deleted, draft, keywords, subject, from_addr, from_name, to_addrs, cc_addrs, message_id, has_attachments, preview"
    };
}
const COLUMNS: &str = columns!();

/// Reads a row selected with `columns!()` (more columns than sqlx's tuples take).
macro_rules! read_raw {
    ($r:expr) => {{
        use sqlx::Row as _;
        let r = $r;
        Ok::<Raw, sqlx::Error>(Raw {
            id: r.try_get(0)?,
            owner_id: r.try_get(1)?,
            folder_id: r.try_get(2)?,
            uid: r.try_get(3)?,
            modseq: r.try_get(4)?,
            blob_sha: r.try_get(5)?,
            size: r.try_get(6)?,
            received_at: r.try_get(7)?,
            sent_at: r.try_get(8)?,
            seen: r.try_get(9)?,
            answered: r.try_get(10)?,
            flagged: r.try_get(11)?,
            deleted: r.try_get(12)?,
            draft: r.try_get(13)?,
            keywords: r.try_get(14)?,
            subject: r.try_get(15)?,
            from_addr: r.try_get(16)?,
            from_name: r.try_get(17)?,
            to_addrs: r.try_get(18)?,
            cc_addrs: r.try_get(19)?,
            message_id: r.try_get(20)?,
            has_attachments: r.try_get(21)?,
            preview: r.try_get(22)?,
        })
    }};
}

/// Runs a built or plain query on either backend and reads its rows as messages.
macro_rules! fetch_raws {
    ($c:expr, $c2:ident => $query:expr) => {
        on!($c, $c2 => {
            let rows = $query.fetch_all(&mut *$c2).await?;
            rows.iter().map(|r| read_raw!(r)).collect::<Result<Vec<Raw>, sqlx::Error>>()
        })
    };
}

struct Raw {
    id: Uuid,
    owner_id: Uuid,
    folder_id: Uuid,
    uid: i64,
    modseq: i64,
    blob_sha: String,
    size: i64,
    received_at: i64,
    sent_at: Option<i64>,
    seen: bool,
    answered: bool,
    flagged: bool,
    deleted: bool,
    draft: bool,
    keywords: String,
    subject: String,
    from_addr: String,
    from_name: String,
    to_addrs: String,
    cc_addrs: String,
    message_id: String,
    has_attachments: bool,
    preview: String,
}

impl From<Raw> for MessageRow {
    fn from(r: Raw) -> Self {
        MessageRow {
            id: MailMessageId(r.id),
            owner: UserId(r.owner_id),
            folder: MailFolderId(r.folder_id),
            uid: r.uid,
            modseq: r.modseq,
            blob_sha: r.blob_sha,
            size: r.size,
            received_at: from_us(r.received_at),
            sent_at: r.sent_at.map(from_us),
            flags: FlagRow {
                seen: r.seen,
                answered: r.answered,
                flagged: r.flagged,
                deleted: r.deleted,
                draft: r.draft,
                keywords: r.keywords,
            },
            subject: r.subject,
            from_addr: r.from_addr,
            from_name: r.from_name,
            to_addrs: r.to_addrs,
            cc_addrs: r.cc_addrs,
            message_id: r.message_id,
            has_attachments: r.has_attachments,
            preview: r.preview,
        }
    }
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    m: &MessageRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(concat!("INSERT INTO mail_messages (instance_id, ", columns!(), ") VALUES
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"))
        .bind(instance.0).bind(m.id.0).bind(m.owner.0).bind(m.folder.0).bind(m.uid).bind(m.modseq)
        .bind(&m.blob_sha).bind(m.size).bind(to_us(m.received_at)).bind(m.sent_at.map(to_us))
        .bind(m.flags.seen).bind(m.flags.answered).bind(m.flags.flagged).bind(m.flags.deleted)
        .bind(m.flags.draft).bind(&m.flags.keywords).bind(&m.subject).bind(&m.from_addr)
        .bind(&m.from_name).bind(&m.to_addrs).bind(&m.cc_addrs).bind(&m.message_id)
        .bind(m.has_attachments).bind(&m.preview)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// UID, MODSEQ and flags of every message of a folder, in UID order.
pub async fn uid_flags(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
) -> Result<Vec<(i64, i64, FlagRow)>, StoreError> {
    type R = (i64, i64, bool, bool, bool, bool, bool, String);
    let r: Vec<R> = on!(c, c => sqlx::query_as(
        "SELECT uid, modseq, seen, answered, flagged, deleted, draft, keywords FROM mail_messages
         WHERE instance_id = $1 AND folder_id = $2 ORDER BY uid")
        .bind(instance.0).bind(folder.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(
            |(uid, modseq, seen, answered, flagged, deleted, draft, keywords)| {
                let flags = FlagRow {
                    seen,
                    answered,
                    flagged,
                    deleted,
                    draft,
                    keywords,
                };
                (uid, modseq, flags)
            },
        )
        .collect())
}

/// The messages of a folder with UIDs between `lo` and `hi`, in UID order.
pub async fn in_uid_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    lo: i64,
    hi: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let r = fetch_raws!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM mail_messages
         WHERE instance_id = $1 AND folder_id = $2 AND uid >= $3 AND uid <= $4 ORDER BY uid"))
        .bind(instance.0).bind(folder.0).bind(lo).bind(hi))?;
    Ok(r.into_iter().map(Into::into).collect())
}

/// As [`in_uid_range`], only messages of `owner`'s mailbox: a reader of the own mailbox needs
/// no lookup of whose folder it is first.
pub async fn own_in_uid_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    lo: i64,
    hi: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let r = fetch_raws!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM mail_messages
         WHERE instance_id = $1 AND folder_id = $2 AND uid >= $3 AND uid <= $4 AND owner_id = $5
         ORDER BY uid"))
        .bind(instance.0).bind(folder.0).bind(lo).bind(hi).bind(owner.0))?;
    Ok(r.into_iter().map(Into::into).collect())
}

/// One page of a folder, newest first, and how many messages the folder holds.
pub async fn page(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    offset: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let r = fetch_raws!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM mail_messages
         WHERE instance_id = $1 AND folder_id = $2 ORDER BY received_at DESC, uid DESC LIMIT $3 OFFSET $4"))
        .bind(instance.0).bind(folder.0).bind(limit).bind(offset))?;
    Ok(r.into_iter().map(Into::into).collect())
}

/// A message of the owner's mailbox.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    id: MailMessageId,
) -> Result<Option<MessageRow>, StoreError> {
    let r = fetch_raws!(c, c => sqlx::query(concat!("SELECT ", columns!(), " FROM mail_messages
         WHERE instance_id = $1 AND owner_id = $2 AND id = $3"))
        .bind(instance.0).bind(owner.0).bind(id.0))?;
    Ok(r.into_iter().next().map(Into::into))
}

/// Whose mailbox a message belongs to and its content's hash, in one statement (reading a
/// message: the owner for the rights check, the hash for the content).
pub async fn owner_and_blob(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailMessageId,
) -> Result<Option<(UserId, String)>, StoreError> {
    let r: Option<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT owner_id, blob_sha FROM mail_messages WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(o, sha)| (UserId(o), sha)))
}

/// Messages of the owner's mailbox by id (any order).
pub async fn get_many(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    ids: &[MailMessageId],
) -> Result<Vec<MessageRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let r = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", columns!(), " FROM mail_messages WHERE instance_id = "));
        q.push_bind(instance.0).push(" AND owner_id = ").push_bind(owner.0).push(" AND id");
        push_in_list(&mut q, ids.iter().map(|i| i.0));
        let rows = q.build().fetch_all(&mut *c).await?;
        rows.iter().map(|r| read_raw!(r)).collect::<Result<Vec<Raw>, sqlx::Error>>()
    })?;
    Ok(r.into_iter().map(Into::into).collect())
}

/// Sets the flags and MODSEQ of the messages with these ids.
pub async fn set_flags(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[MailMessageId],
    f: &FlagRow,
    modseq: i64,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(500) {
        on!(c, c => {
            let mut q = sqlx::QueryBuilder::new("UPDATE mail_messages SET seen = ");
            q.push_bind(f.seen).push(", answered = ").push_bind(f.answered)
                .push(", flagged = ").push_bind(f.flagged).push(", deleted = ").push_bind(f.deleted)
                .push(", draft = ").push_bind(f.draft).push(", keywords = ").push_bind(f.keywords.clone())
                .push(", modseq = ").push_bind(modseq)
                .push(" WHERE instance_id = ").push_bind(instance.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Puts a message into another folder under a new UID.
pub async fn relocate(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailMessageId,
    folder: MailFolderId,
    uid: i64,
    modseq: i64,
) -> Result<(), StoreError> {
    super::expunged::record_gone(c, instance, &[id]).await?;
    on!(c, c => sqlx::query(
        "UPDATE mail_messages SET folder_id = $3, uid = $4, modseq = $5 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(folder.0).bind(uid).bind(modseq)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_many(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[MailMessageId],
) -> Result<(), StoreError> {
    for chunk in ids.chunks(500) {
        // The UIDs leave their folders: tombstones for the nodes' copies (see `expunged`).
        super::expunged::record_gone(c, instance, chunk).await?;
        on!(c, c => {
            let mut q = sqlx::QueryBuilder::new("DELETE FROM mail_messages WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The searchable text of a content, stored once however many messages share it.
pub async fn put_text(c: &mut impl AsConn, sha: &str, text: &str) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_texts (blob_sha, text) VALUES ($1, $2) ON CONFLICT (blob_sha) DO NOTHING")
        .bind(sha).bind(text).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds `delta` bytes to what the mailbox holds.
pub async fn add_usage(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    delta: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_usage (instance_id, owner_id, bytes) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id, owner_id) DO UPDATE SET bytes = mail_usage.bytes + excluded.bytes")
        .bind(instance.0).bind(owner.0).bind(delta).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds `delta` bytes to what the mailbox holds unless that would exceed `quota`: one
/// statement where reading the use and adding to it took two. Returns whether it was added
/// (a mailbox without a row yet gets one if `delta` alone fits).
pub async fn add_usage_within(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    delta: i64,
    quota: i64,
) -> Result<bool, StoreError> {
    if delta > quota {
        return Ok(false);
    }
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "INSERT INTO mail_usage (instance_id, owner_id, bytes) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id, owner_id) DO UPDATE SET bytes = mail_usage.bytes + excluded.bytes
         WHERE mail_usage.bytes + excluded.bytes <= $4
         RETURNING bytes")
        .bind(instance.0).bind(owner.0).bind(delta).bind(quota).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

pub async fn usage(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<i64, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT bytes FROM mail_usage WHERE instance_id = $1 AND owner_id = $2")
        .bind(instance.0).bind(owner.0).fetch_optional(&mut *c).await)?;
    Ok(r.map_or(0, |(b,)| b))
}

/// A login's account type, what its mailbox holds in bytes and the school's mail quota for
/// that type (if set), in one statement. `None`: no such login in the school.
pub async fn use_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<Option<(String, i64, Option<i64>)>, StoreError> {
    let r: Option<(String, i64, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT us.kind, COALESCE((SELECT u.bytes FROM mail_usage u
            WHERE u.instance_id = us.instance_id AND u.owner_id = us.id), CAST(0 AS BIGINT)),
            (SELECT q.bytes FROM mail_quotas q WHERE q.instance_id = us.instance_id AND q.account_type = us.kind)
         FROM users us WHERE us.instance_id = $1 AND us.id = $2")
        .bind(instance.0).bind(owner.0).fetch_optional(&mut *c).await)?;
    Ok(r)
}

/// The folder's owner, what the owner's mailbox holds in bytes, and the school's mail quota
/// for `account_type` (if set), in one statement: APPEND's rights check and quota
/// pre-check. `None`: no such folder in the school.
pub async fn owner_and_usage(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    account_type: &str,
) -> Result<Option<(UserId, i64, Option<i64>)>, StoreError> {
    let r: Option<(Uuid, i64, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT f.owner_id, COALESCE((SELECT u.bytes FROM mail_usage u
            WHERE u.instance_id = f.instance_id AND u.owner_id = f.owner_id), CAST(0 AS BIGINT)),
            (SELECT q.bytes FROM mail_quotas q WHERE q.instance_id = f.instance_id AND q.account_type = $3)
         FROM mail_folders f WHERE f.instance_id = $1 AND f.id = $2")
        .bind(instance.0).bind(folder.0).bind(account_type).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(o, b, q)| (UserId(o), b, q)))
}

/// What APPEND by a folder's name needs to know, read in one statement.
#[derive(Clone, Debug)]
pub struct AppendTarget {
    pub folder: MailFolderId,
    /// The owner's account type (the quota is the owner's, also for a delegate).
    pub kind: String,
    /// What the owner's mailbox holds, in bytes.
    pub used: i64,
    /// The school's mail quota for `kind`, if set.
    pub quota: Option<i64>,
}

/// The folder at `path` of `owner`'s mailbox with the owner's account type, use and the
/// school's quota for that type, in one statement: a mail program's APPEND looks up its
/// target and checks the quota in one round trip. `None`: no such folder.
pub async fn append_target(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    path: &str,
) -> Result<Option<AppendTarget>, StoreError> {
    let r: Option<(Uuid, String, i64, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT f.id, us.kind, COALESCE((SELECT u.bytes FROM mail_usage u
            WHERE u.instance_id = f.instance_id AND u.owner_id = f.owner_id), CAST(0 AS BIGINT)),
            (SELECT q.bytes FROM mail_quotas q WHERE q.instance_id = f.instance_id AND q.account_type = us.kind)
         FROM mail_folders f JOIN users us ON us.instance_id = f.instance_id AND us.id = f.owner_id
         WHERE f.instance_id = $1 AND f.owner_id = $2 AND f.path = $3")
        .bind(instance.0).bind(owner.0).bind(path).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(folder, kind, used, quota)| AppendTarget {
        folder: MailFolderId(folder),
        kind,
        used,
        quota,
    }))
}

/// What a webmail search asks for; every given part must match (case-insensitive).
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub folder: Option<MailFolderId>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub unseen_only: bool,
    pub limit: i64,
}

fn like(s: &str) -> String {
    let esc = s
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{esc}%")
}

/// Messages of the owner's mailbox matching `s`, newest first.
pub async fn search(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    s: &Search,
) -> Result<Vec<MessageRow>, StoreError> {
    let cols: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("m.{}", c.trim()))
        .collect();
    let select = format!("SELECT {} FROM mail_messages m", cols.join(", "));
    let r = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(select.clone());
        if s.text.is_some() {
            q.push(" LEFT JOIN mail_texts t ON t.blob_sha = m.blob_sha");
        }
        q.push(" WHERE m.instance_id = ").push_bind(instance.0).push(" AND m.owner_id = ").push_bind(owner.0);
        if let Some(f) = s.folder {
            q.push(" AND m.folder_id = ").push_bind(f.0);
        }
        if let Some(v) = &s.from {
            q.push(" AND (lower(m.from_addr) LIKE ").push_bind(like(v)).push(" ESCAPE '\\' OR lower(m.from_name) LIKE ").push_bind(like(v)).push(" ESCAPE '\\')");
        }
        if let Some(v) = &s.to {
            q.push(" AND (lower(m.to_addrs) LIKE ").push_bind(like(v)).push(" ESCAPE '\\' OR lower(m.cc_addrs) LIKE ").push_bind(like(v)).push(" ESCAPE '\\')");
        }
        if let Some(v) = &s.subject {
            q.push(" AND lower(m.subject) LIKE ").push_bind(like(v)).push(" ESCAPE '\\'");
        }
        if let Some(v) = &s.text {
            q.push(" AND (lower(m.subject) LIKE ").push_bind(like(v)).push(" ESCAPE '\\' OR t.text LIKE ").push_bind(like(v)).push(" ESCAPE '\\')");
        }
        if s.unseen_only {
            q.push(" AND NOT m.seen");
        }
        q.push(" ORDER BY m.received_at DESC LIMIT ").push_bind(s.limit);
        let rows = q.build().fetch_all(&mut *c).await?;
        rows.iter().map(|r| read_raw!(r)).collect::<Result<Vec<Raw>, sqlx::Error>>()
    })?;
    Ok(r.into_iter().map(Into::into).collect())
}

/// Flag bits of [`FlagState::bits`].
pub const SEEN: i64 = 1;
pub const ANSWERED: i64 = 2;
pub const FLAGGED: i64 = 4;
pub const DELETED: i64 = 8;
pub const DRAFT: i64 = 16;

/// What a folder's UID list needs of a message, in few columns: flags as bits, keywords only
/// when there are any.
#[derive(Clone, Debug)]
pub struct FlagState {
    pub uid: i64,
    pub size: i64,
    pub modseq: i64,
    pub bits: i64,
    pub keywords: Option<String>,
}

/// The messages of a folder (the caller has checked whose it is), in UID order; with
/// `since`, only those changed after that MODSEQ (the `mail_messages_by_modseq` index).
pub async fn flag_states(
    c: &mut impl AsConn,
    folder: MailFolderId,
    since: Option<i64>,
) -> Result<Vec<FlagState>, StoreError> {
    type R = (i64, i64, i64, i64, Option<String>);
    let r: Vec<R> = on!(c, c => sqlx::query_as(
        "SELECT uid, size, modseq, CAST(CAST(seen AS INTEGER) + 2 * CAST(answered AS INTEGER)
            + 4 * CAST(flagged AS INTEGER) + 8 * CAST(deleted AS INTEGER) + 16 * CAST(draft AS INTEGER) AS BIGINT),
            NULLIF(keywords, '')
         FROM mail_messages WHERE folder_id = $1 AND modseq > $2 ORDER BY uid")
        .bind(folder.0).bind(since.unwrap_or(-1)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(uid, size, modseq, bits, keywords)| FlagState {
            uid,
            size,
            modseq,
            bits,
            keywords,
        })
        .collect())
}

/// How many messages a folder holds (from an index).
pub async fn count_in(c: &mut impl AsConn, folder: MailFolderId) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM mail_messages WHERE folder_id = $1")
        .bind(folder.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// The UIDs of a folder, ascending (from the (folder, uid) index alone).
pub async fn uids_in(c: &mut impl AsConn, folder: MailFolderId) -> Result<Vec<i64>, StoreError> {
    let r: Vec<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT uid FROM mail_messages WHERE folder_id = $1 ORDER BY uid")
        .bind(folder.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(u,)| u).collect())
}

/// Id, UID and size of the folder's messages flagged \Deleted, in UID order (a partial
/// index holds just those).
pub async fn deleted_in(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
) -> Result<Vec<(MailMessageId, i64, i64)>, StoreError> {
    let r: Vec<(Uuid, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, uid, size FROM mail_messages WHERE folder_id = $2 AND deleted AND instance_id = $1 ORDER BY uid")
        .bind(instance.0).bind(folder.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, uid, size)| (MailMessageId(id), uid, size))
        .collect())
}

/// A message's id, UID, MODSEQ and flags: what a flag change reads.
#[derive(Clone, Debug)]
pub struct Flagged {
    pub id: MailMessageId,
    pub uid: i64,
    pub modseq: i64,
    pub flags: FlagRow,
}

/// A message's flags as the flag reads select them: id, UID, MODSEQ, the five system flags,
/// keywords.
type FlaggedRaw = (Uuid, i64, i64, bool, bool, bool, bool, bool, String);

fn flagged_row(
    (id, uid, modseq, seen, answered, flagged, deleted, draft, keywords): FlaggedRaw,
) -> Flagged {
    Flagged {
        id: MailMessageId(id),
        uid,
        modseq,
        flags: FlagRow {
            seen,
            answered,
            flagged,
            deleted,
            draft,
            keywords,
        },
    }
}

/// The messages of a folder with UIDs between `lo` and `hi`, in UID order, flags only.
pub async fn flagged_in_range(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    lo: i64,
    hi: i64,
) -> Result<Vec<Flagged>, StoreError> {
    let r: Vec<FlaggedRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, uid, modseq, seen, answered, flagged, deleted, draft, keywords FROM mail_messages
         WHERE folder_id = $2 AND uid >= $3 AND uid <= $4 AND instance_id = $1 ORDER BY uid")
        .bind(instance.0).bind(folder.0).bind(lo).bind(hi).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(flagged_row).collect())
}

/// The folder's owner and the messages with UIDs between `lo` and `hi` (flags only, in UID
/// order), in one statement: a flag change's rights check and read in one round trip.
/// `None`: no such folder in the school.
pub async fn owner_and_flagged(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    lo: i64,
    hi: i64,
) -> Result<Option<(UserId, Vec<Flagged>)>, StoreError> {
    // The folder's row comes first, as UID -1 carrying the owner (real UIDs are positive).
    let r: Vec<FlaggedRaw> = on!(c, c => sqlx::query_as(
        "SELECT owner_id, CAST(-1 AS BIGINT), CAST(0 AS BIGINT), FALSE, FALSE, FALSE, FALSE, FALSE, ''
         FROM mail_folders WHERE instance_id = $1 AND id = $2
         UNION ALL
         SELECT id, uid, modseq, seen, answered, flagged, deleted, draft, keywords FROM mail_messages
         WHERE folder_id = $2 AND uid >= $3 AND uid <= $4 AND instance_id = $1
         ORDER BY 2")
        .bind(instance.0).bind(folder.0).bind(lo).bind(hi).fetch_all(&mut *c).await)?;
    let mut rows = r.into_iter();
    let Some(owner) = rows.next().filter(|r| r.1 == -1).map(|r| UserId(r.0)) else {
        return Ok(None);
    };
    let flagged = rows.map(flagged_row).collect();
    Ok(Some((owner, flagged)))
}

/// The folder's owner and its messages flagged \Deleted (id, UID, size; UID order), in one
/// statement: EXPUNGE's rights check and read in one round trip. `None`: no such folder.
pub async fn owner_and_deleted(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
) -> Result<Option<(UserId, Vec<(MailMessageId, i64, i64)>)>, StoreError> {
    let r: Vec<(Uuid, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT owner_id, CAST(-1 AS BIGINT), CAST(0 AS BIGINT)
         FROM mail_folders WHERE instance_id = $1 AND id = $2
         UNION ALL
         SELECT id, uid, size FROM mail_messages WHERE folder_id = $2 AND deleted AND instance_id = $1
         ORDER BY 2")
        .bind(instance.0).bind(folder.0).fetch_all(&mut *c).await)?;
    let mut rows = r.into_iter();
    let Some(owner) = rows.next().filter(|r| r.1 == -1).map(|r| UserId(r.0)) else {
        return Ok(None);
    };
    Ok(Some((
        owner,
        rows.map(|(id, uid, size)| (MailMessageId(id), uid, size))
            .collect(),
    )))
}
