//! The UID lists of folders as this node last read them, compact (one small entry per
//! message), so a SELECT of a large folder does not read every message row each time.
//!
//! Nothing here is the truth: every use first reads the folder's row (one indexed row, which
//! the ownership check reads anyway) and takes the copy only if its HIGHESTMODSEQ is the one
//! the copy was made at. Every change to a folder's messages takes a new MODSEQ of the folder
//! in the same transaction (see `schulhof_store::mail::messages`), so an equal MODSEQ means
//! an equal folder, whichever node made the change. A copy that is behind is brought up to
//! date from the messages changed since (an indexed range on MODSEQ) and the tombstones of
//! UIDs removed since (`mail_expunged`); only when the folder's count still disagrees (the
//! tombstones were pruned) from all the folder's UIDs (an index-only read).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use schulhof_store::mail::expunged;
use schulhof_store::mail::folders::{self as folder_store, FolderHead};
use schulhof_store::mail::messages::{self as store, FlagState};
use schulhof_store::{AsConn, StoreError};
use schulhof_types::MailFolderId;

use super::folders::{ensure_standard, mailbox_of};
use super::shared::open_owner;
use super::{Flags, FolderInfo, Mailbox, Special, UidFlags, u32_of};
use crate::identity::Actor;
use crate::{DomainError, Platform};
use schulhof_authz::mail::MailboxAccess;

/// Messages held over all folders of this node before the least recently used go (about
/// 50 bytes each).
const CAPACITY: usize = 500_000;

/// A folder's messages in UID order at the folder MODSEQ `modseq`. The list is shared: every
/// session that selected the folder at this MODSEQ holds the same one.
#[derive(Debug)]
pub(crate) struct View {
    pub uid_validity: i64,
    pub modseq: i64,
    pub msgs: Arc<Vec<UidFlags>>,
    /// The size of each message, in the order of `msgs`.
    pub sizes: Vec<u32>,
}

fn size_of(s: &FlagState) -> u32 {
    u32::try_from(s.size.max(0)).unwrap_or(u32::MAX)
}

fn uid_flags(s: FlagState) -> UidFlags {
    let on = |b: i64| s.bits & b != 0;
    UidFlags {
        uid: u32_of(s.uid),
        modseq: s.modseq.max(0) as u64,
        flags: Flags {
            seen: on(store::SEEN),
            answered: on(store::ANSWERED),
            flagged: on(store::FLAGGED),
            deleted: on(store::DELETED),
            draft: on(store::DRAFT),
            keywords: s
                .keywords
                .as_deref()
                .map(|k| k.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
        },
    }
}

impl View {
    fn of(uid_validity: i64, modseq: i64, rows: Vec<FlagState>) -> View {
        let sizes = rows.iter().map(size_of).collect();
        View {
            uid_validity,
            modseq,
            msgs: Arc::new(rows.into_iter().map(uid_flags).collect()),
            sizes,
        }
    }

    pub fn unseen(&self) -> u32 {
        u32_of(self.msgs.iter().filter(|m| !m.flags.seen).count() as i64)
    }

    pub fn bytes(&self) -> u64 {
        self.sizes.iter().map(|&s| u64::from(s)).sum()
    }
}

/// Where a folder stands: its UIDVALIDITY and HIGHESTMODSEQ, read from its row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    pub folder: MailFolderId,
    pub uid_validity: i64,
    pub modseq: i64,
}

/// A change this node committed to a folder, applied to its copy by [`Views::advance`].
pub(crate) enum Change<'a> {
    /// Messages whose flags changed: their new state.
    Flags(&'a [UidFlags]),
    /// UIDs that left the folder.
    Gone(&'a [u32]),
    /// A new message (UID above all others) and its size.
    Added(&'a UidFlags, u32),
}

#[derive(Default)]
pub(crate) struct Views {
    inner: Mutex<Inner>,
    /// The folders of each mailbox whose folder list this node read last, so that the next
    /// list can name the copies it holds (see [`Views::known`]).
    mailboxes: Mutex<HashMap<Mailbox, Vec<MailFolderId>>>,
}

/// Mailboxes whose folders are remembered before the memory is cleared (a few MB).
const MAILBOXES: usize = 100_000;

#[derive(Default)]
struct Inner {
    map: HashMap<MailFolderId, Slot>,
    clock: u64,
    held: usize,
}

struct Slot {
    view: Arc<View>,
    used: u64,
}

impl Views {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, folder: MailFolderId) -> Option<Arc<View>> {
        let mut g = self.lock();
        g.clock += 1;
        let now = g.clock;
        let slot = g.map.get_mut(&folder)?;
        slot.used = now;
        Some(slot.view.clone())
    }

    fn put(&self, folder: MailFolderId, view: Arc<View>) {
        let mut g = self.lock();
        if let Some(old) = g.map.get(&folder)
            && old.view.uid_validity == view.uid_validity
            && old.view.modseq > view.modseq
        {
            return; // another session brought it further meanwhile
        }
        g.clock += 1;
        let used = g.clock;
        g.held += view.msgs.len();
        if let Some(old) = g.map.insert(folder, Slot { view, used }) {
            g.held -= old.view.msgs.len();
        }
        while g.held > CAPACITY && g.map.len() > 1 {
            let Some(oldest) = g.map.iter().min_by_key(|(_, s)| s.used).map(|(k, _)| *k) else {
                break;
            };
            if let Some(gone) = g.map.remove(&oldest) {
                g.held -= gone.view.msgs.len();
            }
        }
    }

    /// The copies this node holds of the folders of `mb` (as its last folder list named
    /// them): (folder, MODSEQ of the copy, the copy).
    pub(crate) fn known(&self, mb: Mailbox) -> Vec<(MailFolderId, Arc<View>)> {
        let folders = {
            let m = self.mailboxes.lock().unwrap_or_else(|p| p.into_inner());
            m.get(&mb).cloned().unwrap_or_default()
        };
        let g = self.lock();
        folders
            .into_iter()
            .filter_map(|f| g.map.get(&f).map(|s| (f, s.view.clone())))
            .collect()
    }

    /// Remembers the folders of `mb` for its next folder list.
    pub(crate) fn remember(&self, mb: Mailbox, folders: Vec<MailFolderId>) {
        let mut m = self.mailboxes.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAILBOXES && !m.contains_key(&mb) {
            m.clear();
        }
        m.insert(mb, folders);
    }

    /// After this node committed a change that took the folder's MODSEQ to `to`: a copy at
    /// `to - 1` (nothing else changed the folder in between, as MODSEQs are taken one by one
    /// under the folder row's lock) becomes the copy at `to` by applying the change, so the
    /// next SELECT or status check of any session reads nothing but the folder's row. Any
    /// other copy is left alone (the next use catches up from the database).
    pub(crate) fn advance(&self, folder: MailFolderId, to: i64, change: Change<'_>) {
        let Some(old) = self.get(folder).filter(|v| v.modseq == to - 1) else {
            return;
        };
        let mut new = View {
            uid_validity: old.uid_validity,
            modseq: to,
            msgs: old.msgs.clone(),
            sizes: old.sizes.clone(),
        };
        match change {
            Change::Flags(changed) => {
                for c in changed {
                    if let Ok(i) = new.msgs.binary_search_by_key(&c.uid, |m| m.uid) {
                        Arc::make_mut(&mut new.msgs)[i] = c.clone();
                    }
                }
            }
            Change::Gone(uids) => {
                let mut gone: Vec<i64> = uids.iter().map(|u| i64::from(*u)).collect();
                gone.sort_unstable();
                remove_sorted(&mut new, &gone);
            }
            Change::Added(m, size) => {
                if new.msgs.last().is_some_and(|l| l.uid >= m.uid) {
                    return; // not the next UID: leave it to the catch-up
                }
                Arc::make_mut(&mut new.msgs).push(m.clone());
                new.sizes.push(size);
            }
        }
        let (grown, shrunk) = (new.msgs.len(), old.msgs.len());
        let mut g = self.lock();
        let inner = &mut *g;
        // Only if no other session replaced the copy meanwhile.
        if let Some(slot) = inner.map.get_mut(&folder)
            && Arc::ptr_eq(&slot.view, &old)
        {
            slot.view = Arc::new(new);
            inner.held = (inner.held + grown).saturating_sub(shrunk);
        }
    }

    /// The folder's messages at `stamp` (read just before, on the same connection).
    pub async fn of(&self, c: &mut impl AsConn, stamp: Stamp) -> Result<Arc<View>, StoreError> {
        let cached = self
            .get(stamp.folder)
            .filter(|v| v.uid_validity == stamp.uid_validity);
        let view = match cached {
            // Newer than the row read a moment ago (another session caught up meanwhile): a
            // later state of the folder, as good as the one asked for.
            Some(v) if v.modseq >= stamp.modseq => return Ok(v),
            Some(v) => Arc::new(catch_up(c, &v, stamp).await?),
            None => {
                let rows = store::flag_states(c, stamp.folder, None).await?;
                Arc::new(View::of(stamp.uid_validity, stamp.modseq, rows))
            }
        };
        self.put(stamp.folder, view.clone());
        Ok(view)
    }
}

/// A view brought from its MODSEQ to `stamp`. Rows read here may be newer than `stamp`
/// (commits in between); the view is still labelled `stamp`, so the next use, seeing a
/// higher MODSEQ in the folder's row, reads them again.
///
/// Changed and added messages come with the UIDs that left the folder since (tombstones, see
/// `schulhof_store::mail::expunged`) in one statement; the folder's count then shows whether
/// anything left without a tombstone the copy saw (pruned, or older than the window), and
/// only then are all UIDs read.
async fn catch_up(c: &mut impl AsConn, old: &View, stamp: Stamp) -> Result<View, StoreError> {
    let (rows, count) = expunged::flag_changes(c, stamp.folder, old.modseq).await?;
    let (gone, changed): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.3 < 0);
    let changed = changed
        .into_iter()
        .map(|(uid, size, modseq, bits, keywords)| FlagState {
            uid,
            size,
            modseq,
            bits,
            keywords,
        })
        .collect();
    let mut view = merge(old, View::of(stamp.uid_validity, stamp.modseq, changed));
    if !gone.is_empty() {
        let gone: Vec<i64> = gone.into_iter().map(|r| r.0).collect();
        remove_sorted(&mut view, &gone);
    }
    if count != view.msgs.len() as i64 {
        let uids = store::uids_in(c, stamp.folder).await?;
        retain_sorted(&mut view, &uids);
    }
    Ok(view)
}

/// Drops the messages whose UID is in `gone` (ascending; UIDs not in the view are ignored).
fn remove_sorted(view: &mut View, gone: &[i64]) {
    let mut j = 0;
    let keep: Vec<bool> = view
        .msgs
        .iter()
        .map(|m| {
            let u = i64::from(m.uid);
            while j < gone.len() && gone[j] < u {
                j += 1;
            }
            !(j < gone.len() && gone[j] == u)
        })
        .collect();
    apply_keep(view, &keep);
}

/// `old` with the messages of `changed` (both in UID order) put in: replaced where the UID
/// is known, added where it is new. Labelled as `changed`.
fn merge(old: &View, changed: View) -> View {
    let n = old.msgs.len() + changed.msgs.len();
    let (mut msgs, mut sizes) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut i = 0;
    for (m, size) in changed.msgs.iter().zip(&changed.sizes) {
        while i < old.msgs.len() && old.msgs[i].uid < m.uid {
            msgs.push(old.msgs[i].clone());
            sizes.push(old.sizes[i]);
            i += 1;
        }
        if i < old.msgs.len() && old.msgs[i].uid == m.uid {
            i += 1;
        }
        msgs.push(m.clone());
        sizes.push(*size);
    }
    msgs.extend_from_slice(&old.msgs[i..]);
    sizes.extend_from_slice(&old.sizes[i..]);
    View {
        msgs: Arc::new(msgs),
        sizes,
        ..changed
    }
}

/// Keeps the messages whose UID is in `uids` (ascending).
fn retain_sorted(view: &mut View, uids: &[i64]) {
    let mut j = 0;
    let keep: Vec<bool> = view
        .msgs
        .iter()
        .map(|m| {
            let u = i64::from(m.uid);
            while j < uids.len() && uids[j] < u {
                j += 1;
            }
            j < uids.len() && uids[j] == u
        })
        .collect();
    apply_keep(view, &keep);
}

fn apply_keep(view: &mut View, keep: &[bool]) {
    if keep.iter().all(|&k| k) {
        return;
    }
    let mut k = keep.iter();
    Arc::make_mut(&mut view.msgs).retain(|_| k.next().copied().unwrap_or(false));
    let mut k = keep.iter();
    view.sizes.retain(|_| k.next().copied().unwrap_or(false));
}

pub(crate) fn stamp(h: &FolderHead) -> Stamp {
    Stamp {
        folder: h.id,
        uid_validity: h.uid_validity,
        modseq: h.highest_modseq,
    }
}

impl Platform {
    /// UID, MODSEQ and flags of every message of an own folder, in UID order: one indexed
    /// row read when this node's copy is current.
    pub async fn mail_uids(
        &self,
        a: &Actor,
        folder: MailFolderId,
    ) -> Result<Arc<Vec<UidFlags>>, DomainError> {
        let mut c = self.db.read().await?;
        // Whose folder it is and its row in one statement; the policy decides on the owner.
        let (owner, head) = folder_store::owner_and_head(&mut c, a.token.instance(), folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        open_owner(&mut c, a, owner, MailboxAccess::Read).await?;
        Ok(self
            .mail_bus
            .views
            .of(&mut c, stamp(&head))
            .await?
            .msgs
            .clone())
    }

    /// For QRESYNC: the UIDs known to have left an own folder at or before MODSEQ `since`
    /// (ascending), and the folder's next UID.
    pub async fn mail_left_before(
        &self,
        a: &Actor,
        folder: MailFolderId,
        since: u64,
    ) -> Result<(Vec<u32>, u32), DomainError> {
        let mut c = self.db.read().await?;
        let (owner, head) = folder_store::owner_and_head(&mut c, a.token.instance(), folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        open_owner(&mut c, a, owner, MailboxAccess::Read).await?;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let left = expunged::left_by(&mut c, folder, since).await?;
        Ok((
            left.into_iter().map(u32_of).collect(),
            u32_of(head.uid_next),
        ))
    }

    /// What IMAP SELECT needs: the folder at `path` with its counts, and its messages in UID
    /// order (the counts are those of the list, so the two agree).
    pub async fn mail_select(
        &self,
        a: &Actor,
        path: &str,
    ) -> Result<(FolderInfo, Arc<Vec<UidFlags>>), DomainError> {
        let mb = mailbox_of(a)?;
        let path = if path.eq_ignore_ascii_case("INBOX") {
            "INBOX"
        } else {
            path
        };
        self.select_in(mb, path).await
    }

    /// SELECT in a mailbox already opened (own or delegated).
    pub(crate) async fn select_in(
        &self,
        mb: Mailbox,
        path: &str,
    ) -> Result<(FolderInfo, Arc<Vec<UidFlags>>), DomainError> {
        let mut c = self.db.read().await?;
        let head = match folder_store::head_by_path(&mut c, mb.instance, mb.owner, path).await? {
            Some(h) => h,
            None => {
                drop(c);
                // A new mailbox gets its standard folders on first use.
                let mut tx = self.db.begin().await?;
                ensure_standard(&mut tx, mb, self.now()).await?;
                tx.commit().await?;
                c = self.db.read().await?;
                folder_store::head_by_path(&mut c, mb.instance, mb.owner, path)
                    .await?
                    .ok_or(DomainError::NotFound)?
            }
        };
        let view = self.mail_bus.views.of(&mut c, stamp(&head)).await?;
        let info = FolderInfo {
            id: head.id,
            special: head.special.as_deref().and_then(Special::parse),
            path: head.path,
            uid_validity: u32_of(head.uid_validity),
            // The list may be a moment newer than the row (see `Views::of`).
            uid_next: u32_of(head.uid_next)
                .max(view.msgs.last().map_or(0, |m| m.uid.saturating_add(1))),
            highest_modseq: head.highest_modseq.max(view.modseq).max(0) as u64,
            exists: u32_of(view.msgs.len() as i64),
            unseen: view.unseen(),
            subscribed: head.subscribed,
            size: view.bytes(),
            read_only: false,
        };
        Ok((info, view.msgs.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(modseq: i64, uids: &[(u32, u64)]) -> View {
        let rows = uids
            .iter()
            .map(|&(uid, m)| FlagState {
                uid: uid.into(),
                size: uid.into(),
                modseq: m as i64,
                bits: store::SEEN,
                keywords: (uid == 3).then(|| "$Junk x".to_owned()),
            })
            .collect();
        View::of(1, modseq, rows)
    }

    fn pairs(v: &View) -> Vec<(u32, u64, u32)> {
        v.msgs
            .iter()
            .zip(&v.sizes)
            .map(|(m, s)| (m.uid, m.modseq, *s))
            .collect()
    }

    #[test]
    fn merging_replaces_known_and_adds_new_uids_in_order() {
        let old = view(1, &[(1, 1), (3, 1), (5, 1)]);
        let out = merge(&old, view(7, &[(3, 7), (6, 7)]));
        assert_eq!(out.modseq, 7);
        assert_eq!(
            pairs(&out),
            vec![(1, 1, 1), (3, 7, 3), (5, 1, 5), (6, 7, 6)]
        );
        assert_eq!(out.msgs[1].flags.keywords, ["$Junk", "x"]);
        assert!(out.msgs[0].flags.seen && !out.msgs[0].flags.deleted);
    }

    #[test]
    fn removed_uids_leave_the_view() {
        let mut v = view(1, &[(1, 1), (3, 1), (5, 1), (9, 1)]);
        retain_sorted(&mut v, &[1, 5, 10]);
        assert_eq!(pairs(&v), vec![(1, 1, 1), (5, 1, 5)]);
        let mut v = view(1, &[(1, 1), (3, 1), (5, 1), (9, 1)]);
        remove_sorted(&mut v, &[2, 3, 9, 12]);
        assert_eq!(pairs(&v), vec![(1, 1, 1), (5, 1, 5)]);
    }

    #[test]
    fn the_oldest_views_go_when_full() {
        let views = Views::default();
        let big: Vec<(u32, u64)> = (1..=(CAPACITY / 2 + 1) as u32).map(|u| (u, 1)).collect();
        let (a, b) = (
            MailFolderId(uuid::Uuid::now_v7()),
            MailFolderId(uuid::Uuid::now_v7()),
        );
        views.put(a, Arc::new(view(1, &big)));
        views.put(b, Arc::new(view(1, &big)));
        assert!(views.get(a).is_none(), "the older one made room");
        assert!(views.get(b).is_some());
    }
}
