//! Changes to many messages of one folder at once (the webmail's bulk actions): each costs
//! one statement per 500 messages, however many are chosen. As every change to a folder's
//! messages, the caller takes a new MODSEQ of each folder it touches in the same transaction
//! (`folders::take_uids` / `take_modseq`) and gives it to the rows it changes.

use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on, push_in_list};

/// Rows per statement: well below both backends' limits on bound values.
const CHUNK: usize = 500;

/// What a bulk action needs to know of a chosen message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub id: MailMessageId,
    pub uid: i64,
    pub size: i64,
    pub seen: bool,
    pub flagged: bool,
}

/// The system flags a bulk action sets or clears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkFlag {
    Seen,
    Flagged,
}

impl BulkFlag {
    /// The column (a fixed name, never input).
    fn column(self) -> &'static str {
        match self {
            BulkFlag::Seen => "seen",
            BulkFlag::Flagged => "flagged",
        }
    }
}

/// Those of `ids` that are messages of the owner in `folder`, in UID order.
pub async fn chosen_in(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
    folder: MailFolderId,
    ids: &[MailMessageId],
) -> Result<Vec<Chosen>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, i64, i64, bool, bool)> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT id, uid, size, seen, flagged FROM mail_messages WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND owner_id = ").push_bind(owner.0)
                .push(" AND folder_id = ").push_bind(folder.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(
            rows.into_iter()
                .map(|(id, uid, size, seen, flagged)| Chosen {
                    id: MailMessageId(id),
                    uid,
                    size,
                    seen,
                    flagged,
                }),
        );
    }
    out.sort_by_key(|m| m.uid);
    Ok(out)
}

/// Sets (`on`) or clears a flag of those `ids` of `folder` that do not have it so already,
/// giving them `modseq`; the others keep theirs (CONDSTORE: nothing changed for them).
/// Returns how many changed.
pub async fn set_flag(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: MailFolderId,
    ids: &[MailMessageId],
    flag: BulkFlag,
    on: bool,
    modseq: i64,
) -> Result<u64, StoreError> {
    let col = flag.column();
    let differs = if on {
        format!(" AND NOT {col}")
    } else {
        format!(" AND {col}")
    };
    let mut n = 0;
    for chunk in ids.chunks(CHUNK) {
        n += on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(format!("UPDATE mail_messages SET {col} = "));
            q.push_bind(on).push(", modseq = ").push_bind(modseq)
                .push(" WHERE instance_id = ").push_bind(instance.0)
                .push(" AND folder_id = ").push_bind(folder.0).push(&differs).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|i| i.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(n)
}

/// Puts messages into folder `to`, each under its new UID (`(id, uid)` pairs), with `modseq`.
pub async fn relocate_many(
    c: &mut impl AsConn,
    instance: InstanceId,
    to: MailFolderId,
    moves: &[(MailMessageId, i64)],
    modseq: i64,
) -> Result<(), StoreError> {
    for chunk in moves.chunks(CHUNK) {
        let ids: Vec<MailMessageId> = chunk.iter().map(|(id, _)| *id).collect();
        super::expunged::record_gone(c, instance, &ids).await?;
        on!(c, c => {
            let mut q = sqlx::QueryBuilder::new("UPDATE mail_messages SET folder_id = ");
            q.push_bind(to.0).push(", modseq = ").push_bind(modseq).push(", uid = CASE id");
            for (id, uid) in chunk {
                q.push(" WHEN ").push_bind(id.0).push(" THEN ").push_bind(*uid);
            }
            q.push(" END WHERE instance_id = ").push_bind(instance.0).push(" AND id");
            push_in_list(&mut q, chunk.iter().map(|(id, _)| id.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
