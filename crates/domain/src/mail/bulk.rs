//! Many messages of one folder at once, as the webmail's folder page chooses them: mark read,
//! unread, flagged or not, move to another folder, delete to the trash (in the trash: for
//! good). A few statements per action however many messages: the chosen rows are read in
//! one, changed in one, and each folder touched takes one new MODSEQ and announces itself on
//! the bus, as the single-message actions do, so IMAP clients see the change.
//!
//! A choice either passes whole or changes nothing: an id that is not a message of the
//! folder (another person's, another folder's, made up) answers NotFound.

use std::collections::HashSet;

use schulhof_store::Tx;
use schulhof_store::mail::bulk::{self as store, BulkFlag, Chosen};
use schulhof_store::mail::folders as folder_store;
use schulhof_store::mail::messages as message_store;
use schulhof_types::{MailFolderId, MailMessageId};

use super::bus::MailEvent;
use super::folders::mailbox_of;
use super::{Mailbox, Special};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// What to do with the chosen messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkAction {
    Read,
    Unread,
    Flag,
    Unflag,
    Move(MailFolderId),
    /// To the trash; in the trash, deleted for good.
    Delete,
}

/// What a bulk action did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Messages changed, moved or deleted (those that had the flag already are not counted).
    pub changed: usize,
    /// Deleted for good (the action was Delete in the trash).
    pub purged: bool,
}

impl Platform {
    /// Applies `action` to the messages `ids` of the own folder `folder`.
    pub async fn mail_bulk(
        &self,
        a: &Actor,
        folder: MailFolderId,
        ids: &[MailMessageId],
        action: BulkAction,
    ) -> Result<BulkOutcome, DomainError> {
        let mb = mailbox_of(a)?;
        let mut seen = HashSet::new();
        let ids: Vec<MailMessageId> = ids.iter().copied().filter(|i| seen.insert(*i)).collect();
        // Which folder "delete" means is known before the transaction (made on first use).
        let trash = match action {
            BulkAction::Delete => Some(self.mail_special(a, Special::Trash).await?),
            _ => None,
        };
        let mut tx = self.db.begin().await?;
        if !folder_store::owned(&mut tx, mb.instance, mb.owner, folder).await? {
            return Err(DomainError::NotFound);
        }
        let chosen = store::chosen_in(&mut tx, mb.instance, mb.owner, folder, &ids).await?;
        if chosen.len() != ids.len() {
            return Err(DomainError::NotFound);
        }
        if chosen.is_empty() {
            return Ok(BulkOutcome::default());
        }
        let (flag, on) = match action {
            BulkAction::Read => (BulkFlag::Seen, true),
            BulkAction::Unread => (BulkFlag::Seen, false),
            BulkAction::Flag => (BulkFlag::Flagged, true),
            BulkAction::Unflag => (BulkFlag::Flagged, false),
            BulkAction::Move(to) => return self.bulk_move(tx, mb, folder, &chosen, to).await,
            BulkAction::Delete if trash == Some(folder) => {
                return self.bulk_purge(tx, mb, folder, &chosen).await;
            }
            BulkAction::Delete => {
                let to = trash.ok_or(DomainError::NotFound)?;
                return self.bulk_move(tx, mb, folder, &chosen, to).await;
            }
        };
        let to_change: Vec<MailMessageId> = chosen
            .iter()
            .filter(|m| match flag {
                BulkFlag::Seen => m.seen != on,
                BulkFlag::Flagged => m.flagged != on,
            })
            .map(|m| m.id)
            .collect();
        if to_change.is_empty() {
            tx.commit().await?;
            return Ok(BulkOutcome::default());
        }
        let modseq = folder_store::take_modseq(&mut tx, mb.instance, folder).await?;
        let n = store::set_flag(&mut tx, mb.instance, folder, &to_change, flag, on, modseq).await?;
        self.bulk_commit(tx, mb, &[folder]).await?;
        Ok(BulkOutcome {
            changed: usize::try_from(n).unwrap_or(usize::MAX),
            purged: false,
        })
    }

    /// Moves the chosen messages (in UID order) to new UIDs in `to`; both folders take a new
    /// MODSEQ, as an IMAP MOVE does.
    async fn bulk_move(
        &self,
        mut tx: Tx,
        mb: Mailbox,
        from: MailFolderId,
        chosen: &[Chosen],
        to: MailFolderId,
    ) -> Result<BulkOutcome, DomainError> {
        if !folder_store::owned(&mut tx, mb.instance, mb.owner, to).await? {
            return Err(DomainError::NotFound);
        }
        if to == from {
            tx.commit().await?;
            return Ok(BulkOutcome::default());
        }
        let n = i64::try_from(chosen.len()).unwrap_or(i64::MAX);
        let (first, modseq, _) = folder_store::take_uids(&mut tx, mb.instance, to, n).await?;
        let moves: Vec<(MailMessageId, i64)> = chosen
            .iter()
            .zip(first..)
            .map(|(m, uid)| (m.id, uid))
            .collect();
        store::relocate_many(&mut tx, mb.instance, to, &moves, modseq).await?;
        folder_store::take_modseq(&mut tx, mb.instance, from).await?;
        self.bulk_commit(tx, mb, &[to, from]).await?;
        Ok(BulkOutcome {
            changed: chosen.len(),
            purged: false,
        })
    }

    /// Deletes the chosen messages of the trash for good, giving their bytes back.
    async fn bulk_purge(
        &self,
        mut tx: Tx,
        mb: Mailbox,
        trash: MailFolderId,
        chosen: &[Chosen],
    ) -> Result<BulkOutcome, DomainError> {
        let ids: Vec<MailMessageId> = chosen.iter().map(|m| m.id).collect();
        let bytes: i64 = chosen.iter().map(|m| m.size).sum();
        message_store::delete_many(&mut tx, mb.instance, &ids).await?;
        message_store::add_usage(&mut tx, mb.instance, mb.owner, -bytes).await?;
        folder_store::take_modseq(&mut tx, mb.instance, trash).await?;
        self.bulk_commit(tx, mb, &[trash]).await?;
        Ok(BulkOutcome {
            changed: chosen.len(),
            purged: true,
        })
    }

    /// Commits, then hands an event for every folder touched to the bus (NOTIFY or NATS
    /// after the commit on PostgreSQL, the in-process channel on SQLite).
    async fn bulk_commit(
        &self,
        tx: Tx,
        mb: Mailbox,
        folders: &[MailFolderId],
    ) -> Result<(), DomainError> {
        let events: Vec<MailEvent> = folders
            .iter()
            .map(|f| MailEvent {
                instance: mb.instance,
                owner: mb.owner,
                folder: *f,
                origin: 0,
            })
            .collect();
        tx.commit().await?;
        self.mail_bus.committed(&self.db, &events);
        Ok(())
    }
}
