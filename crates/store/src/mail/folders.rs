//! Mail folders of a mailbox, with their IMAP counters (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, MailFolderId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, on, to_us};

#[derive(Clone, Debug)]
pub struct FolderRow {
    pub id: MailFolderId,
    pub path: String,
    pub special: Option<String>,
    pub uid_validity: i64,
    pub uid_next: i64,
    pub highest_modseq: i64,
    pub subscribed: bool,
    /// Messages, unseen messages and their bytes (filled by [`list`] and [`get`]).
    pub exists: i64,
    pub unseen: i64,
    pub bytes: i64,
}

type Row = (
    Uuid,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    bool,
    i64,
    i64,
    i64,
);

fn row(r: Row) -> FolderRow {
    FolderRow {
        id: MailFolderId(r.0),
        path: r.1,
        special: r.2,
        uid_validity: r.3,
        uid_next: r.4,
        highest_modseq: r.5,
        subscribed: r.6,
        exists: r.7,
        unseen: r.8,
        bytes: r.9,
    }
}

macro_rules! select {
    () => { "SELECT f.id, f.path, f.special, f.uid_validity, f.uid_next, f.highest_modseq, f.subscribed,
        CAST(COALESCE(s.n, 0) AS BIGINT), CAST(COALESCE(s.unseen, 0) AS BIGINT), CAST(COALESCE(s.bytes, 0) AS BIGINT)
    FROM mail_folders f
    LEFT JOIN (SELECT folder_id, COUNT(*) AS n, SUM(CASE WHEN seen THEN 0 ELSE 1 END) AS unseen, SUM(size) AS bytes
               FROM mail_messages WHERE instance_id = $1 AND owner_id = $2 GROUP BY folder_id) s ON s.folder_id = f.id
    WHERE f.instance_id = $1 AND f.owner_id = $2"
    };
}

/// Every folder of the mailbox, by path.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<Vec<FolderRow>, StoreError> {
    let r: Vec<Row> = on!(c, c => sqlx::query_as(concat!(select!(), " ORDER BY f.path"))
        .bind(instance.0).bind(owner.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every folder of the mailbox, by path, as [`list`] — except that folders whose
/// HIGHESTMODSEQ is still the one given in `known` (a node's copy of their messages at that
/// MODSEQ holds their counts) are not counted: their counts come back 0. One statement.
/// `None` on SQLite, where counting runs in-process and [`list`] serves.
pub async fn list_knowing(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    known: &[(MailFolderId, i64)],
) -> Result<Option<Vec<FolderRow>>, StoreError> {
    let Conn::Pg(c) = c.conn() else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = known.iter().map(|k| k.0.0).collect();
    let modseqs: Vec<i64> = known.iter().map(|k| k.1).collect();
    // Each folder counted through the folder index, unless `known` holds it at its MODSEQ:
    // then the count's scan never runs (a one-time filter on the outer row).
    let r: Vec<Row> = sqlx::query_as(
        "SELECT f.id, f.path, f.special, f.uid_validity, f.uid_next, f.highest_modseq, f.subscribed,
            CAST(COALESCE(s.n, 0) AS BIGINT), CAST(COALESCE(s.unseen, 0) AS BIGINT), CAST(COALESCE(s.bytes, 0) AS BIGINT)
         FROM mail_folders f
         LEFT JOIN unnest($3::uuid[], $4::bigint[]) AS k(id, modseq)
           ON k.id = f.id AND k.modseq = f.highest_modseq
         LEFT JOIN LATERAL (
           SELECT COUNT(*) AS n, SUM(CASE WHEN seen THEN 0 ELSE 1 END) AS unseen, SUM(size) AS bytes
           FROM mail_messages m
           WHERE m.instance_id = f.instance_id AND m.folder_id = f.id AND k.id IS NULL) s ON TRUE
         WHERE f.instance_id = $1 AND f.owner_id = $2 ORDER BY f.path",
    )
    .bind(instance.0)
    .bind(owner.0)
    .bind(&ids)
    .bind(&modseqs)
    .fetch_all(&mut *c)
    .await?;
    Ok(Some(r.into_iter().map(row).collect()))
}

/// One folder by id, with its counts (counted in that folder only: a SELECT of a large
/// folder must not count the whole mailbox).
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    id: MailFolderId,
) -> Result<Option<FolderRow>, StoreError> {
    let r: Option<Row> = on!(c, c => sqlx::query_as(
        "SELECT f.id, f.path, f.special, f.uid_validity, f.uid_next, f.highest_modseq, f.subscribed,
            CAST(COALESCE(s.n, 0) AS BIGINT), CAST(COALESCE(s.unseen, 0) AS BIGINT), CAST(COALESCE(s.bytes, 0) AS BIGINT)
         FROM mail_folders f
         LEFT JOIN (SELECT COUNT(*) AS n, SUM(CASE WHEN seen THEN 0 ELSE 1 END) AS unseen, SUM(size) AS bytes
                    FROM mail_messages WHERE folder_id = $3) s ON TRUE
         WHERE f.instance_id = $1 AND f.owner_id = $2 AND f.id = $3")
        .bind(instance.0).bind(owner.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The id of the folder at `path`, if any.
pub async fn id_by_path(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    path: &str,
) -> Result<Option<MailFolderId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM mail_folders WHERE instance_id = $1 AND owner_id = $2 AND path = $3")
        .bind(instance.0).bind(owner.0).bind(path).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| MailFolderId(id)))
}

/// The id of a standard folder (`inbox`, `sent`, …), if made already.
pub async fn id_by_special(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    special: &str,
) -> Result<Option<MailFolderId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM mail_folders WHERE instance_id = $1 AND owner_id = $2 AND special = $3")
        .bind(instance.0).bind(owner.0).bind(special).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| MailFolderId(id)))
}

pub struct NewFolder<'a> {
    pub id: MailFolderId,
    pub owner: UserId,
    pub path: &'a str,
    pub special: Option<&'a str>,
    pub uid_validity: i64,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    f: &NewFolder<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_folders (instance_id, id, owner_id, path, special, uid_validity, uid_next, highest_modseq, subscribed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $8)")
        .bind(instance.0).bind(f.id.0).bind(f.owner.0).bind(f.path).bind(f.special)
        .bind(f.uid_validity).bind(true).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Renames the folder at `from` and every folder below it. Returns how many were renamed.
pub async fn rename_tree(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    from: &str,
    to: &str,
) -> Result<u64, StoreError> {
    let prefix = format!("{from}/");
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_folders SET path = $4 || substr(path, CAST($5 AS INTEGER))
         WHERE instance_id = $1 AND owner_id = $2 AND (path = $3 OR substr(path, 1, CAST($6 AS INTEGER)) = $7)")
        .bind(instance.0).bind(owner.0).bind(from).bind(to)
        .bind(from.chars().count() as i64 + 1).bind(prefix.chars().count() as i64).bind(&prefix)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Whether a folder has folders below it.
pub async fn has_children(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    path: &str,
) -> Result<bool, StoreError> {
    let prefix = format!("{path}/");
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM mail_folders WHERE instance_id = $1 AND owner_id = $2 AND substr(path, 1, CAST($3 AS INTEGER)) = $4 LIMIT 1")
        .bind(instance.0).bind(owner.0).bind(prefix.chars().count() as i64).bind(&prefix)
        .fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM mail_folders WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_subscribed(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
    on: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE mail_folders SET subscribed = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(on).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes `n` UIDs and one new MODSEQ of the folder: (first uid, modseq, uid validity).
/// The row lock held to commit keeps two deliveries from getting the same UIDs.
pub async fn take_uids(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
    n: i64,
) -> Result<(i64, i64, i64), StoreError> {
    let r: Option<(i64, i64, i64)> = on!(c, c => sqlx::query_as(
        "UPDATE mail_folders SET uid_next = uid_next + $3, highest_modseq = highest_modseq + 1
         WHERE instance_id = $1 AND id = $2 RETURNING uid_next - $3, highest_modseq, uid_validity")
        .bind(instance.0).bind(id.0).bind(n).fetch_optional(&mut *c).await)?;
    r.ok_or_else(|| StoreError::Corrupt(format!("mail folder {} vanished", id.0)))
}

/// Takes a new MODSEQ of the folder (a flag change, an expunge).
pub async fn take_modseq(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
) -> Result<i64, StoreError> {
    Ok(take_uids(c, instance, id, 0).await?.1)
}

/// Whether the folder belongs to the owner's mailbox.
pub async fn owned(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    id: MailFolderId,
) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM mail_folders WHERE instance_id = $1 AND owner_id = $2 AND id = $3")
        .bind(instance.0).bind(owner.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

/// A folder's row without counts: one indexed row, for the checks that run on every use.
#[derive(Clone, Debug)]
pub struct FolderHead {
    pub id: MailFolderId,
    pub path: String,
    pub special: Option<String>,
    pub uid_validity: i64,
    pub uid_next: i64,
    pub highest_modseq: i64,
    pub subscribed: bool,
}

type HeadRow = (Uuid, String, Option<String>, i64, i64, i64, bool);

fn head_row(r: HeadRow) -> FolderHead {
    FolderHead {
        id: MailFolderId(r.0),
        path: r.1,
        special: r.2,
        uid_validity: r.3,
        uid_next: r.4,
        highest_modseq: r.5,
        subscribed: r.6,
    }
}

/// The row of an own folder by id (`None`: no such folder in this mailbox).
pub async fn head(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    id: MailFolderId,
) -> Result<Option<FolderHead>, StoreError> {
    let r: Option<HeadRow> = on!(c, c => sqlx::query_as(
        "SELECT id, path, special, uid_validity, uid_next, highest_modseq, subscribed FROM mail_folders
         WHERE instance_id = $1 AND owner_id = $2 AND id = $3")
        .bind(instance.0).bind(owner.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(head_row))
}

/// A folder's owner and row by id alone (one statement for the owner lookup of the rights
/// check and the row the caller then reads).
pub async fn owner_and_head(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
) -> Result<Option<(UserId, FolderHead)>, StoreError> {
    type Row = (Uuid, Uuid, String, Option<String>, i64, i64, i64, bool);
    let r: Option<Row> = on!(c, c => sqlx::query_as(
        "SELECT owner_id, id, path, special, uid_validity, uid_next, highest_modseq, subscribed
         FROM mail_folders WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(
        |(owner, id, path, special, validity, next, modseq, subscribed)| {
            (
                UserId(owner),
                head_row((id, path, special, validity, next, modseq, subscribed)),
            )
        },
    ))
}

/// The row of an own folder by path.
pub async fn head_by_path(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    path: &str,
) -> Result<Option<FolderHead>, StoreError> {
    let r: Option<HeadRow> = on!(c, c => sqlx::query_as(
        "SELECT id, path, special, uid_validity, uid_next, highest_modseq, subscribed FROM mail_folders
         WHERE instance_id = $1 AND owner_id = $2 AND path = $3")
        .bind(instance.0).bind(owner.0).bind(path).fetch_optional(&mut *c).await)?;
    Ok(r.map(head_row))
}

/// PostgreSQL: locks the folder's row for the rest of the transaction, so that what is read
/// next (flags) cannot change before the transaction writes (every change of a folder's
/// messages locks its row first). SQLite: nothing to do, its transactions take the one
/// writer from the start.
pub async fn lock(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: MailFolderId,
) -> Result<(), StoreError> {
    if let Conn::Pg(c) = c.conn() {
        sqlx::query("SELECT 1 FROM mail_folders WHERE instance_id = $1 AND id = $2 FOR UPDATE")
            .bind(instance.0)
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?;
    }
    Ok(())
}

/// Takes a new MODSEQ of a folder of the owner's mailbox; `None`: no such folder there.
pub async fn take_modseq_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    id: MailFolderId,
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "UPDATE mail_folders SET highest_modseq = highest_modseq + 1
         WHERE instance_id = $1 AND owner_id = $2 AND id = $3 RETURNING highest_modseq")
        .bind(instance.0).bind(owner.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(m,)| m))
}
