//! Tombstones of the UIDs that left a folder (expunged or moved away), with the MODSEQ of the
//! change that took them. A node's copy of a folder's UID list catches up from these (see
//! `flag_changes`) instead of re-reading all UIDs of the folder after every removal.
//!
//! They are an optimisation, never the truth: only the last [`WINDOW`] MODSEQs of a folder
//! (a few more until the next pruning) keep theirs, and a copy that is older (or a removal
//! that wrote none) shows up as a count that does not match, upon which the reader takes the
//! folder's UIDs again.

use schulhof_types::{InstanceId, MailFolderId, MailMessageId};

use crate::{AsConn, StoreError, on, push_in_list};

/// How many MODSEQs of a folder keep their tombstones.
pub const WINDOW: i64 = 1000;

/// Records the UIDs of these messages as leaving their folders, and prunes those folders'
/// old tombstones. Runs before the rows are deleted or moved, and before the folder takes
/// the MODSEQ of the change: the tombstone gets the folder's next MODSEQ (at least the one
/// the change takes; one too high only makes a copy look at it once more).
pub async fn record_gone(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[MailMessageId],
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO mail_expunged (instance_id, folder_id, modseq, uid)
             SELECT m.instance_id, m.folder_id, f.highest_modseq + 1, m.uid
             FROM mail_messages m JOIN mail_folders f ON f.instance_id = m.instance_id AND f.id = m.folder_id
             WHERE m.instance_id = ");
        q.push_bind(instance.0).push(" AND m.id");
        push_in_list(&mut q, ids.iter().map(|i| i.0));
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "DELETE FROM mail_expunged WHERE instance_id = ");
        q.push_bind(instance.0).push(
            " AND modseq < (SELECT f.highest_modseq FROM mail_folders f
               WHERE f.instance_id = mail_expunged.instance_id AND f.id = mail_expunged.folder_id) - ");
        q.push_bind(WINDOW).push(
            " AND folder_id IN (SELECT folder_id FROM mail_messages WHERE instance_id = ");
        q.push_bind(instance.0).push(" AND id");
        push_in_list(&mut q, ids.iter().map(|i| i.0));
        q.push(")");
        q.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A row of [`flag_changes`]: `(uid, size, modseq, flag bits, keywords)`.
pub type Change = (i64, i64, i64, i64, Option<String>);

/// What changed in a folder after MODSEQ `since`, in UID order: `(uid, size, modseq, flag
/// bits, keywords)` of messages changed or added, and `(uid, 0, modseq, -1, None)` for UIDs
/// that left it; and how many messages the folder holds now. One statement (on PostgreSQL
/// one round trip), the count from the same snapshot as the changes.
pub async fn flag_changes(
    c: &mut impl AsConn,
    folder: MailFolderId,
    since: i64,
) -> Result<(Vec<Change>, i64), StoreError> {
    let mut rows: Vec<Change> = on!(c, c => sqlx::query_as(
        "SELECT uid, size, modseq, CAST(CAST(seen AS INTEGER) + 2 * CAST(answered AS INTEGER)
            + 4 * CAST(flagged AS INTEGER) + 8 * CAST(deleted AS INTEGER) + 16 * CAST(draft AS INTEGER) AS BIGINT),
            NULLIF(keywords, '')
         FROM mail_messages WHERE folder_id = $1 AND modseq > $2
         UNION ALL
         SELECT uid, CAST(0 AS BIGINT), modseq, CAST(-1 AS BIGINT), CAST(NULL AS TEXT)
         FROM mail_expunged WHERE folder_id = $1 AND modseq > $2
         UNION ALL
         SELECT CAST(-1 AS BIGINT), COUNT(*), CAST(0 AS BIGINT), CAST(-2 AS BIGINT), CAST(NULL AS TEXT)
         FROM mail_messages WHERE folder_id = $1
         ORDER BY 1")
        .bind(folder.0).bind(since).fetch_all(&mut *c).await)?;
    // The count's row sorts first (UID -1; real UIDs are positive).
    let count = match rows.first() {
        Some(r) if r.3 == -2 => rows.remove(0).1,
        _ => return Err(StoreError::Corrupt("folder count missing".into())),
    };
    Ok((rows, count))
}

/// UIDs whose tombstones say they left the folder at or before MODSEQ `modseq`, ascending.
/// QRESYNC leaves these out of `VANISHED (EARLIER)`: the client, at that MODSEQ, already
/// knew them gone. (A UID without a tombstone is not here, so it is reported again, which
/// RFC 7162 allows; none is ever missed.)
pub async fn left_by(
    c: &mut impl AsConn,
    folder: MailFolderId,
    modseq: i64,
) -> Result<Vec<i64>, StoreError> {
    let r: Vec<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT uid FROM mail_expunged WHERE folder_id = $1 AND modseq <= $2 ORDER BY uid")
        .bind(folder.0).bind(modseq).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(u,)| u).collect())
}
