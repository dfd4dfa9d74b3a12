//! Messages of the own mailbox: listing, reading, flags, copy and move, expunge, search,
//! and APPEND (through the one ingest path).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use schulhof_store::mail::folders as folder_store;
use schulhof_store::mail::messages::{self as store, MessageRow, Search};
use schulhof_store::{AsConn, Backend};
use schulhof_types::{MailFolderId, MailMessageId};

use super::bus::MailEvent;
use super::folders::mailbox_of;
use super::ingest::Target;
use super::shared::{open_folder, open_message, open_owner, owner_row};
use super::view::{Change, stamp};
use super::{
    CopyResult, FlagOp, Flags, MailQuery, Mailbox, MessageMeta, Special, StoreResult, UidFlags,
    u32_of,
};
use crate::identity::Actor;
use crate::{DomainError, Platform};
use schulhof_authz::mail::MailboxAccess::{Read, Write};

/// Messages that end with the same flags: the flags, and (id, UID, MODSEQ read) of each.
type FlagGroup = (Flags, Vec<(MailMessageId, u32, i64)>);

/// What a flag change does to the rows read: the UIDs it must leave alone (changed after
/// `unchanged_since`, CONDSTORE) and the messages that change, grouped by the flags they
/// end with (one UPDATE per group). Messages that keep their flags are in neither.
fn flag_plan(
    rows: Vec<store::Flagged>,
    op: FlagOp,
    flags: &Flags,
    unchanged_since: Option<u64>,
) -> (StoreResult, BTreeMap<Vec<u8>, FlagGroup>) {
    let mut result = StoreResult::default();
    let mut groups: BTreeMap<Vec<u8>, FlagGroup> = BTreeMap::new();
    for r in rows {
        let uid = u32_of(r.uid);
        if unchanged_since.is_some_and(|m| r.modseq as u64 > m) {
            result.failed.push(uid);
            continue;
        }
        let before = Flags::from_row(&r.flags);
        let after = before.apply(op, flags);
        if after == before {
            continue;
        }
        let key = format!("{:?}", after.to_row()).into_bytes();
        groups
            .entry(key)
            .or_insert_with(|| (after, Vec::new()))
            .1
            .push((r.id, uid, r.modseq));
    }
    (result, groups)
}

/// The rows of `uids` (any order, duplicates ignored) in UID order.
async fn rows_of(
    c: &mut impl AsConn,
    mb: Mailbox,
    folder: MailFolderId,
    uids: &[u32],
) -> Result<Vec<MessageRow>, DomainError> {
    let (Some(lo), Some(hi)) = (uids.iter().min(), uids.iter().max()) else {
        return Ok(Vec::new());
    };
    let want: HashSet<i64> = uids.iter().map(|u| i64::from(*u)).collect();
    let rows = store::in_uid_range(c, mb.instance, folder, i64::from(*lo), i64::from(*hi)).await?;
    Ok(rows.into_iter().filter(|r| want.contains(&r.uid)).collect())
}

/// The mailbox of `folder` opened for writing, and the flags of its messages `uids` (any
/// order, duplicates ignored) in UID order: one statement.
async fn flagged_of(
    c: &mut impl AsConn,
    a: &Actor,
    folder: MailFolderId,
    uids: &[u32],
) -> Result<(Mailbox, Vec<store::Flagged>), DomainError> {
    // No UIDs: an empty range, the folder's row alone.
    let lo = uids.iter().min().map_or(1, |u| i64::from(*u));
    let hi = uids.iter().max().map_or(0, |u| i64::from(*u));
    let (owner, rows) = store::owner_and_flagged(c, a.token.instance(), folder, lo, hi)
        .await?
        .ok_or(DomainError::NotFound)?;
    let (mb, _) = open_owner(c, a, owner, Write).await?;
    let want: HashSet<i64> = uids.iter().map(|u| i64::from(*u)).collect();
    Ok((
        mb,
        rows.into_iter().filter(|r| want.contains(&r.uid)).collect(),
    ))
}

impl Platform {
    /// The envelopes of these messages of an own folder, in UID order.
    pub async fn mail_metas(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
    ) -> Result<Vec<MessageMeta>, DomainError> {
        let mut c = self.db.read().await?;
        // The own mailbox, the usual case: rows of the actor's own messages need no lookup
        // of whose folder it is first (one statement). Nothing found: the general way below
        // (a delegated folder, or none of these UIDs left).
        if let Ok(own) = mailbox_of(a)
            && let (Some(lo), Some(hi)) = (uids.iter().min(), uids.iter().max())
        {
            let (lo, hi) = (i64::from(*lo), i64::from(*hi));
            let rows =
                store::own_in_uid_range(&mut c, own.instance, own.owner, folder, lo, hi).await?;
            if !rows.is_empty() {
                let want: HashSet<i64> = uids.iter().map(|u| i64::from(*u)).collect();
                let rows = rows.into_iter().filter(|r| want.contains(&r.uid));
                return Ok(rows.map(Into::into).collect());
            }
        }
        let mb = open_folder(&mut c, a, folder, Read).await?;
        let rows = rows_of(&mut c, mb, folder, uids).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One page of an own folder, newest first, and how many messages it holds.
    pub async fn mail_page(
        &self,
        a: &Actor,
        folder: MailFolderId,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<MessageMeta>, u32), DomainError> {
        let mut c = self.db.read().await?;
        let mb = open_folder(&mut c, a, folder, Read).await?;
        let head = folder_store::head(&mut c, mb.instance, mb.owner, folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        // The count from this node's copy of the folder's UID list, current for the row just
        // read (no statement while the folder is unchanged): counting a folder of 50,000
        // messages costs tens of milliseconds on PostgreSQL, on every page.
        let view = self.mail_bus.views.of(&mut c, stamp(&head)).await?;
        let rows = store::page(&mut c, mb.instance, folder, offset.into(), limit.into()).await?;
        let exists = u32::try_from(view.msgs.len()).unwrap_or(u32::MAX);
        Ok((rows.into_iter().map(Into::into).collect(), exists))
    }

    /// A message of the own mailbox (404 for anyone else's).
    pub async fn mail_message(
        &self,
        a: &Actor,
        id: MailMessageId,
    ) -> Result<MessageMeta, DomainError> {
        let mut c = self.db.read().await?;
        let mb = open_message(&mut c, a, id, Read).await?;
        let r = store::get(&mut c, mb.instance, mb.owner, id).await?;
        r.map(Into::into).ok_or(DomainError::NotFound)
    }

    /// The whole message as it was received. The owner (for the rights check) and the
    /// content's hash come from one statement: IMAP FETCH of a body runs this per message.
    pub async fn mail_raw(&self, a: &Actor, id: MailMessageId) -> Result<Vec<u8>, DomainError> {
        let sha = {
            let mut c = self.db.read().await?;
            let (owner, sha) = store::owner_and_blob(&mut c, a.token.instance(), id)
                .await?
                .ok_or(DomainError::NotFound)?;
            open_owner(&mut c, a, owner, Read).await?;
            sha
        };
        self.mail_blob(&sha).await
    }

    /// The whole message of a listing the actor was shown (`mail_metas`, a page, a search):
    /// the listing decided the reading, so the content is read without asking again — IMAP
    /// FETCH of a body is one statement, not two. A listing without a content reference
    /// takes the way of [`Self::mail_raw`].
    pub async fn mail_content(&self, a: &Actor, m: &MessageMeta) -> Result<Vec<u8>, DomainError> {
        if m.content.0.is_empty() {
            return self.mail_raw(a, m.id).await;
        }
        self.mail_blob(&m.content.0).await
    }

    pub(crate) async fn mail_blob(&self, sha: &str) -> Result<Vec<u8>, DomainError> {
        let internal =
            |e: &dyn std::fmt::Display| DomainError::Internal(format!("mail content: {e}"));
        let mut r = self.blobs.open_read(sha).await.map_err(|e| internal(&e))?;
        let mut out = Vec::with_capacity(r.size() as usize);
        loop {
            let chunk = r.chunk(256 * 1024).await.map_err(|e| internal(&e))?;
            if chunk.is_empty() {
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
        }
    }

    /// Changes the flags of messages of an own folder. With `unchanged_since`, messages
    /// changed after that MODSEQ are left alone and reported as failed (CONDSTORE).
    pub async fn mail_store_flags(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreResult, DomainError> {
        if self.db.backend() == Backend::Postgres {
            return self
                .store_flags_at_once(a, folder, uids, op, flags, unchanged_since)
                .await;
        }
        self.store_flags_in_tx(a, folder, uids, op, flags, unchanged_since)
            .await
    }

    /// PostgreSQL: the own folder's everyday change in one statement (`own_at_once`); else
    /// the read (rights check included) and, when the messages end with the
    /// same flags (`+FLAGS (\Seen)` on one or many: nearly always), the change with its
    /// MODSEQ as one statement — two round trips instead of five. Messages changed by
    /// someone else between the two (their MODSEQ moved) go the transaction's way.
    async fn store_flags_at_once(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreResult, DomainError> {
        let own = self.own_store_flags(a, folder, uids, op, flags, unchanged_since);
        if let Some(done) = own.await? {
            return Ok(done);
        }
        let mut c = self.db.read().await?;
        let (mb, rows) = flagged_of(&mut c, a, folder, uids).await?;
        let (mut result, groups) = flag_plan(rows, op, flags, unchanged_since);
        if groups.len() > 1 {
            drop(c);
            return self
                .store_flags_in_tx(a, folder, uids, op, flags, unchanged_since)
                .await;
        }
        let Some((after, members)) = groups.into_values().next() else {
            return Ok(result);
        };
        let want: Vec<(MailMessageId, i64)> = members.iter().map(|m| (m.0, m.2)).collect();
        let member_uids = members.iter().map(|m| i64::from(m.1));
        let range = (
            member_uids.clone().min().unwrap_or(1),
            member_uids.max().unwrap_or(0),
        );
        let Some((modseq, done)) = store::set_flags_if_unchanged(
            &mut c,
            mb.instance,
            mb.owner,
            folder,
            &want,
            range,
            &after.to_row(),
        )
        .await?
        else {
            drop(c);
            return self
                .store_flags_in_tx(a, folder, uids, op, flags, unchanged_since)
                .await;
        };
        drop(c);
        let done: HashSet<MailMessageId> = done.into_iter().collect();
        for (id, uid, _) in &members {
            if done.contains(id) {
                result.changed.push(UidFlags {
                    uid: *uid,
                    modseq: modseq as u64,
                    flags: after.clone(),
                });
            }
        }
        if !done.is_empty() {
            self.announce(mb, folder);
            let views = &self.mail_bus.views;
            views.advance(folder, modseq, Change::Flags(&result.changed));
        }
        if done.len() < members.len() {
            // Changed meanwhile: decided again on what they hold now.
            let rest: Vec<u32> = members
                .iter()
                .filter(|m| !done.contains(&m.0))
                .map(|m| m.1)
                .collect();
            let more = self
                .store_flags_in_tx(a, folder, &rest, op, flags, unchanged_since)
                .await?;
            result.changed.extend(more.changed);
            result.failed.extend(more.failed);
        }
        result.changed.sort_by_key(|c| c.uid);
        result.failed.sort_unstable();
        Ok(result)
    }

    /// The flag change in one transaction: read, MODSEQ, one UPDATE per resulting set of
    /// flags.
    async fn store_flags_in_tx(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<StoreResult, DomainError> {
        let mut tx = self.db.begin().await?;
        // The flags read next are the ones changed: a concurrent change waits (on
        // PostgreSQL a read in a transaction does not hold what it read).
        folder_store::lock(&mut tx, a.token.instance(), folder).await?;
        // Whose folder it is and the few columns a flag change needs, in one statement: on
        // PostgreSQL every statement is a round trip, and SQLite's single writer is held for
        // as few as possible.
        let (mb, rows) = flagged_of(&mut tx, a, folder, uids).await?;
        let (mut result, groups) = flag_plan(rows, op, flags, unchanged_since);
        if groups.is_empty() {
            tx.commit().await?;
            return Ok(result);
        }
        let modseq = folder_store::take_modseq_of(&mut tx, mb.instance, mb.owner, folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        for (after, members) in groups.into_values() {
            let ids: Vec<MailMessageId> = members.iter().map(|m| m.0).collect();
            store::set_flags(&mut tx, mb.instance, &ids, &after.to_row(), modseq).await?;
            for (_, uid, _) in members {
                result.changed.push(UidFlags {
                    uid,
                    modseq: modseq as u64,
                    flags: after.clone(),
                });
            }
        }
        result.changed.sort_by_key(|c| c.uid);
        self.commit_with_event(tx, mb, folder).await?;
        let views = &self.mail_bus.views;
        views.advance(folder, modseq, Change::Flags(&result.changed));
        Ok(result)
    }

    /// Tells sessions on every node that a folder changed (after a commit).
    pub(super) fn announce(&self, mb: Mailbox, folder: MailFolderId) {
        let events = [MailEvent {
            instance: mb.instance,
            owner: mb.owner,
            folder,
            origin: 0,
        }];
        self.mail_bus.committed(&self.db, &events);
    }

    async fn commit_with_event(
        &self,
        tx: schulhof_store::Tx,
        mb: Mailbox,
        folder: MailFolderId,
    ) -> Result<(), DomainError> {
        tx.commit().await?;
        self.announce(mb, folder);
        Ok(())
    }

    /// Copies messages into another own folder.
    pub async fn mail_copy(
        &self,
        a: &Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> Result<CopyResult, DomainError> {
        self.copy_or_move(a, from, uids, to, false).await
    }

    /// Moves messages into another own folder (new UIDs there).
    pub async fn mail_move(
        &self,
        a: &Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> Result<CopyResult, DomainError> {
        self.copy_or_move(a, from, uids, to, true).await
    }

    async fn copy_or_move(
        &self,
        a: &Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
        remove: bool,
    ) -> Result<CopyResult, DomainError> {
        let mut tx = self.db.begin().await?;
        let mb = open_folder(&mut tx, a, from, if remove { Write } else { Read }).await?;
        // Messages stay within one mailbox: a delegate's copy out of a delegated mailbox
        // would be a second, unaudited way of passing it on.
        let target = open_folder(&mut tx, a, to, Write).await?;
        if target != mb {
            return Err(DomainError::invalid(
                "folder",
                "messages move and copy within one mailbox only",
            ));
        }
        let rows = rows_of(&mut tx, mb, from, uids).await?;
        let n = rows.len() as i64;
        let (first, modseq, validity) =
            folder_store::take_uids(&mut tx, mb.instance, to, n).await?;
        let owner = owner_row(&mut tx, a, mb).await?;
        let quota = self.mail_quota_of(&mut tx, mb.instance, &owner).await?;
        if !remove {
            let added: i64 = rows.iter().map(|r| r.size).sum();
            let used = store::usage(&mut tx, mb.instance, mb.owner).await?;
            if used.saturating_add(added) > quota as i64 {
                return Err(DomainError::QuotaExceeded("Das Postfach ist voll.".into()));
            }
            store::add_usage(&mut tx, mb.instance, mb.owner, added).await?;
        }
        let mut pairs = Vec::with_capacity(rows.len());
        let mut moves = Vec::new();
        for (i, mut r) in rows.into_iter().enumerate() {
            let uid = first + i as i64;
            pairs.push((u32_of(r.uid), u32_of(uid)));
            if remove {
                moves.push((r.id, uid));
            } else {
                r.id = MailMessageId(uuid::Uuid::now_v7());
                r.folder = to;
                r.uid = uid;
                r.modseq = modseq;
                store::insert(&mut tx, mb.instance, &r).await?;
            }
        }
        // All moved rows in one statement (per 500), with their tombstones in the source.
        schulhof_store::mail::bulk::relocate_many(&mut tx, mb.instance, to, &moves, modseq).await?;
        let mut events = vec![MailEvent {
            instance: mb.instance,
            owner: mb.owner,
            folder: to,
            origin: 0,
        }];
        if remove {
            folder_store::take_modseq(&mut tx, mb.instance, from).await?;
            events.push(MailEvent {
                instance: mb.instance,
                owner: mb.owner,
                folder: from,
                origin: 0,
            });
        }
        tx.commit().await?;
        self.mail_bus.committed(&self.db, &events);
        Ok(CopyResult {
            uid_validity: u32_of(validity),
            pairs,
        })
    }

    /// Removes the messages flagged \Deleted (only those among `only`, if given) for good.
    /// Returns their UIDs.
    pub async fn mail_expunge(
        &self,
        a: &Actor,
        folder: MailFolderId,
        only: Option<&[u32]>,
    ) -> Result<Vec<u32>, DomainError> {
        if self.db.backend() == Backend::Postgres {
            return self.expunge_at_once(a, folder, only).await;
        }
        let mut tx = self.db.begin().await?;
        // Whose folder it is and only the messages flagged \Deleted (a partial index holds
        // them), in one statement.
        let (owner, deleted) = store::owner_and_deleted(&mut tx, a.token.instance(), folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        let (mb, _) = open_owner(&mut tx, a, owner, Write).await?;
        let limit: Option<HashSet<u32>> = only.map(|o| o.iter().copied().collect());
        let gone: Vec<(MailMessageId, u32, i64)> = deleted
            .into_iter()
            .map(|(id, uid, size)| (id, u32_of(uid), size))
            .filter(|(_, u, _)| limit.as_ref().is_none_or(|l| l.contains(u)))
            .collect();
        if gone.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let ids: Vec<MailMessageId> = gone.iter().map(|g| g.0).collect();
        store::delete_many(&mut tx, mb.instance, &ids).await?;
        let bytes: i64 = gone.iter().map(|g| g.2).sum();
        store::add_usage(&mut tx, mb.instance, mb.owner, -bytes).await?;
        let modseq = folder_store::take_modseq(&mut tx, mb.instance, folder).await?;
        self.commit_with_event(tx, mb, folder).await?;
        let uids: Vec<u32> = gone.into_iter().map(|g| g.1).collect();
        self.mail_bus
            .views
            .advance(folder, modseq, Change::Gone(&uids));
        Ok(uids)
    }

    /// PostgreSQL: the own folder's EXPUNGE in one statement (`own_at_once`); else the read
    /// (rights check included) and one statement that removes what is
    /// still flagged \Deleted with its MODSEQ, tombstones and use — two round trips instead
    /// of eight.
    async fn expunge_at_once(
        &self,
        a: &Actor,
        folder: MailFolderId,
        only: Option<&[u32]>,
    ) -> Result<Vec<u32>, DomainError> {
        if let Some(done) = self.own_expunge(a, folder, only).await? {
            return Ok(done);
        }
        let mut c = self.db.read().await?;
        let (owner, deleted) = store::owner_and_deleted(&mut c, a.token.instance(), folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        let (mb, _) = open_owner(&mut c, a, owner, Write).await?;
        let limit: Option<HashSet<u32>> = only.map(|o| o.iter().copied().collect());
        let gone: Vec<(MailMessageId, i64)> = deleted
            .into_iter()
            .filter(|(_, uid, _)| limit.as_ref().is_none_or(|l| l.contains(&u32_of(*uid))))
            .map(|(id, uid, _)| (id, uid))
            .collect();
        let (Some(lo), Some(hi)) = (gone.first(), gone.last()) else {
            return Ok(Vec::new());
        };
        // UID order (the read's): the first and the last give the range.
        let range = (lo.1, hi.1);
        let ids: Vec<MailMessageId> = gone.iter().map(|g| g.0).collect();
        let Some((modseq, gone)) =
            store::expunge_at_once(&mut c, mb.instance, mb.owner, folder, &ids, range).await?
        else {
            return Err(DomainError::Internal("expunge: not PostgreSQL".into()));
        };
        drop(c);
        let uids: Vec<u32> = gone.into_iter().map(u32_of).collect();
        if !uids.is_empty() {
            self.announce(mb, folder);
            self.mail_bus
                .views
                .advance(folder, modseq, Change::Gone(&uids));
        }
        Ok(uids)
    }

    async fn remove_rows(
        &self,
        c: &mut impl AsConn,
        mb: Mailbox,
        rows: &[MessageRow],
    ) -> Result<(), DomainError> {
        let ids: Vec<MailMessageId> = rows.iter().map(|r| r.id).collect();
        let bytes: i64 = rows.iter().map(|r| r.size).sum();
        store::delete_many(c, mb.instance, &ids).await?;
        store::add_usage(c, mb.instance, mb.owner, -bytes).await?;
        Ok(())
    }

    /// Moves messages to the trash; messages already there are deleted for good.
    pub async fn mail_delete_to_trash(
        &self,
        a: &Actor,
        ids: &[MailMessageId],
    ) -> Result<(), DomainError> {
        let (mb, trash) = self.trash_of(a, ids.first().copied()).await?;
        let rows = {
            let mut c = self.db.read().await?;
            store::get_many(&mut c, mb.instance, mb.owner, ids).await?
        };
        let (in_trash, elsewhere): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|r| r.folder == trash);
        if !in_trash.is_empty() {
            let mut tx = self.db.begin().await?;
            self.remove_rows(&mut tx, mb, &in_trash).await?;
            folder_store::take_modseq(&mut tx, mb.instance, trash).await?;
            self.commit_with_event(tx, mb, trash).await?;
        }
        let mut by_folder: BTreeMap<uuid::Uuid, Vec<u32>> = BTreeMap::new();
        for r in elsewhere {
            by_folder.entry(r.folder.0).or_default().push(u32_of(r.uid));
        }
        for (f, uids) in by_folder {
            self.mail_move(a, MailFolderId(f), &uids, trash).await?;
        }
        Ok(())
    }

    /// Deletes everything in the trash, irrevocably.
    pub async fn mail_empty_trash(&self, a: &Actor) -> Result<u32, DomainError> {
        let mb = mailbox_of(a)?;
        let trash = self.mail_special(a, Special::Trash).await?;
        let mut tx = self.db.begin().await?;
        let all = store::uid_flags(&mut tx, mb.instance, trash).await?;
        let uids: Vec<u32> = all.iter().map(|(u, _, _)| u32_of(*u)).collect();
        let rows = rows_of(&mut tx, mb, trash, &uids).await?;
        let n = rows.len() as u32;
        if n > 0 {
            self.remove_rows(&mut tx, mb, &rows).await?;
            folder_store::take_modseq(&mut tx, mb.instance, trash).await?;
        }
        self.commit_with_event(tx, mb, trash).await?;
        Ok(n)
    }

    /// The id of a standard folder of the own mailbox.
    pub async fn mail_special(&self, a: &Actor, s: Special) -> Result<MailFolderId, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        if let Some(id) =
            folder_store::id_by_special(&mut c, mb.instance, mb.owner, s.as_str()).await?
        {
            return Ok(id);
        }
        drop(c);
        // A new mailbox gets its standard folders on first use.
        let found = self
            .mail_folders(a)
            .await?
            .into_iter()
            .find(|f| f.special == Some(s));
        found.map(|f| f.id).ok_or(DomainError::NotFound)
    }

    /// Messages of the own mailbox matching a search, newest first.
    pub async fn mail_search(
        &self,
        a: &Actor,
        q: &MailQuery,
    ) -> Result<Vec<MessageMeta>, DomainError> {
        let mut c = self.db.read().await?;
        // Without a folder: the own mailbox only. A delegated mailbox is searched only when
        // one of its folders is named, so nothing delegated leaks into a general search.
        let mb = match q.folder {
            Some(f) => open_folder(&mut c, a, f, Read).await?,
            None => mailbox_of(a)?,
        };
        let clean = |s: &Option<String>| {
            s.as_ref()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let s = Search {
            folder: q.folder,
            from: clean(&q.from),
            to: clean(&q.to),
            subject: clean(&q.subject),
            text: clean(&q.text),
            unseen_only: q.unseen_only,
            limit: i64::from(if q.limit == 0 { 200 } else { q.limit.min(1000) }),
        };
        let rows = store::search(&mut c, mb.instance, mb.owner, &s).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Puts a message into an own folder (IMAP APPEND, drafts, the webmail's sent copy).
    pub async fn mail_append(
        &self,
        a: &Actor,
        folder: MailFolderId,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> Result<(u32, u32), DomainError> {
        let (mb, used, quota) = {
            let mut c = self.db.read().await?;
            // Whose folder it is, the mailbox's use and (for the own mailbox) the quota of the
            // actor's account type in one statement.
            let (owner, used, set) =
                store::owner_and_usage(&mut c, a.token.instance(), folder, &a.user.kind)
                    .await?
                    .ok_or(DomainError::NotFound)?;
            let (mb, _) = open_owner(&mut c, a, owner, Write).await?;
            // A delegated mailbox has its owner's quota.
            let quota = if mb.owner == a.user.id {
                self.mail_quota_from(&a.user.kind, set)
            } else {
                let owner = owner_row(&mut c, a, mb).await?;
                self.mail_quota_of(&mut c, mb.instance, &owner).await?
            };
            (mb, used, quota)
        };
        self.append_within(mb, folder, used, quota, raw, flags, internal_date)
            .await
    }

    /// IMAP APPEND to the folder a mail program names (own, or `Andere/<login>/<path>`):
    /// the folder, its owner's use and quota are one read. The outer error: no such folder
    /// for the actor (IMAP answers TRYCREATE to not found); otherwise the folder and the
    /// APPEND's own outcome, (UIDVALIDITY, UID) or why it was refused.
    pub async fn mail_client_append(
        &self,
        a: &Actor,
        path: &str,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> Result<(MailFolderId, Result<(u32, u32), DomainError>), DomainError> {
        let (mb, inner) = self.client_mailbox(a, path).await?;
        let mut c = self.db.read().await?;
        let Some(t) = store::append_target(&mut c, mb.instance, mb.owner, inner).await? else {
            drop(c);
            // A new mailbox's standard folders are made on first use, as by
            // [`Platform::mail_client_folder_id`]; a folder that does not exist stays not found.
            let folder = self.mail_client_folder_id(a, path).await?;
            let filed = self.mail_append(a, folder, raw, flags, internal_date);
            return Ok((folder, filed.await));
        };
        let folder = t.folder;
        let filed = async move {
            // The rights are decided as for any APPEND: writing into the mailbox.
            let (mb, _) = open_owner(&mut c, a, mb.owner, Write).await?;
            drop(c);
            // The quota is the owner's, also when a delegate appends.
            let quota = self.mail_quota_from(&t.kind, t.quota);
            self.append_within(mb, folder, t.used, quota, raw, flags, internal_date)
                .await
        };
        Ok((folder, filed.await))
    }

    /// Files a message into a folder of `mb` whose use (`used`) and quota were read: over
    /// the quota, nothing is stored.
    #[allow(clippy::too_many_arguments)]
    async fn append_within(
        &self,
        mb: Mailbox,
        folder: MailFolderId,
        used: i64,
        quota: u64,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> Result<(u32, u32), DomainError> {
        if used.saturating_add(raw.len() as i64) > quota as i64 {
            return Err(DomainError::QuotaExceeded("Das Postfach ist voll.".into()));
        }
        let content = self.mail_store_content(raw).await?;
        let target = Target {
            mb,
            folder: Some(folder),
            flags: flags.clone(),
            quota,
            rcpt: None,
        };
        let at = internal_date.unwrap_or_else(|| self.now());
        let mut filed = self.mail_ingest(&content, &[target], at, None).await?;
        filed
            .pop()
            .unwrap_or_else(|| Err(DomainError::Internal("nothing filed".into())))
    }
}
