//! PostgreSQL: a flag change and an EXPUNGE of the actor's own folder in ONE statement each,
//! with no read before them. They are a mail program's most frequent writes, and on
//! PostgreSQL every statement is a round trip; the statement itself checks that the folder
//! is the actor's, and the own mailbox's rights are decided by the policy without a read.
//! Anything else (SQLite, a delegated folder, keywords, CONDSTORE, replacing all flags)
//! takes the general way in `messages`.

use schulhof_store::mail::messages::{self as store, FlagRow, OwnChange};
use schulhof_types::MailFolderId;

use super::folders::mailbox_of;
use super::view::Change;
use super::{FlagOp, Flags, StoreResult, UidFlags, u32_of};
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// `+FLAGS`/`-FLAGS` of system flags on the own folder; `None`: not this way.
    pub(super) async fn own_store_flags(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<Option<StoreResult>, DomainError> {
        let Ok(mb) = mailbox_of(a) else {
            return Ok(None);
        };
        if uids.is_empty() || unchanged_since.is_some() || !flags.keywords.is_empty() {
            return Ok(None);
        }
        let none = FlagRow::default();
        let (set, clear) = match op {
            FlagOp::Add => (flags.to_row(), none),
            FlagOp::Remove => (none, flags.to_row()),
            FlagOp::Replace => return Ok(None),
        };
        let uids: Vec<i64> = uids.iter().map(|u| i64::from(*u)).collect();
        let mut c = self.db.read().await?;
        let done =
            store::own_flags_at_once(&mut c, mb.instance, mb.owner, folder, &uids, &set, &clear)
                .await?;
        drop(c);
        let Some(OwnChange::Done(modseq, after)) = done else {
            return Ok(None);
        };
        let changed: Vec<UidFlags> = after
            .iter()
            .map(|(uid, m, row)| UidFlags {
                uid: u32_of(*uid),
                modseq: (*m).max(0) as u64,
                flags: Flags::from_row(row),
            })
            .collect();
        if !changed.is_empty() {
            self.announce(mb, folder);
            let views = &self.mail_bus.views;
            views.advance(folder, modseq, Change::Flags(&changed));
        }
        Ok(Some(StoreResult {
            changed,
            failed: Vec::new(),
        }))
    }

    /// EXPUNGE (of all or `only` these UIDs) of the own folder; `None`: not this way.
    pub(super) async fn own_expunge(
        &self,
        a: &Actor,
        folder: MailFolderId,
        only: Option<&[u32]>,
    ) -> Result<Option<Vec<u32>>, DomainError> {
        let Ok(mb) = mailbox_of(a) else {
            return Ok(None);
        };
        let only: Option<Vec<i64>> = only.map(|o| o.iter().map(|u| i64::from(*u)).collect());
        let mut c = self.db.read().await?;
        let done =
            store::own_expunge_at_once(&mut c, mb.instance, mb.owner, folder, only.as_deref())
                .await?;
        drop(c);
        let Some(OwnChange::Done(modseq, gone)) = done else {
            return Ok(None);
        };
        let uids: Vec<u32> = gone.into_iter().map(u32_of).collect();
        if !uids.is_empty() {
            self.announce(mb, folder);
            self.mail_bus
                .views
                .advance(folder, modseq, Change::Gone(&uids));
        }
        Ok(Some(uids))
    }
}
