//! An in-memory mailbox for the session tests: one login ("lehrer", password "pw"), folders
//! INBOX, Drafts, Sent, Trash; live events through a broadcast channel like the platform's.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::store::*;

#[derive(Clone)]
struct Msg {
    id: MailMessageId,
    uid: u32,
    modseq: u64,
    flags: Flags,
    raw: Vec<u8>,
    at: DateTime<Utc>,
}

struct Folder {
    id: MailFolderId,
    path: String,
    special: Option<Special>,
    uid_next: u32,
    subscribed: bool,
    msgs: BTreeMap<u32, Msg>,
}

struct Inner {
    folders: Vec<Folder>,
    modseq: u64,
    quota: u64,
}

#[derive(Clone)]
pub struct MemStore {
    inner: Arc<Mutex<Inner>>,
    tx: broadcast::Sender<MailEvent>,
    owner: UserId,
}

impl MemStore {
    pub fn new() -> MemStore {
        let folder = |path: &str, special| Folder {
            id: MailFolderId(Uuid::now_v7()),
            path: path.into(),
            special,
            uid_next: 1,
            subscribed: true,
            msgs: BTreeMap::new(),
        };
        let (tx, _) = broadcast::channel(64);
        MemStore {
            inner: Arc::new(Mutex::new(Inner {
                folders: vec![
                    folder("INBOX", Some(Special::Inbox)),
                    folder("Drafts", Some(Special::Drafts)),
                    folder("Sent", Some(Special::Sent)),
                    folder("Trash", Some(Special::Trash)),
                ],
                modseq: 1,
                quota: 10_000_000,
            })),
            tx,
            owner: UserId(Uuid::now_v7()),
        }
    }

    pub fn set_quota(&self, q: u64) {
        self.lock().quota = q;
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn event(&self, folder: MailFolderId) {
        let _ = self.tx.send(MailEvent {
            instance: InstanceId(Uuid::nil()),
            owner: self.owner,
            folder,
            origin: schulhof_domain::mail::bus::current_origin(),
        });
    }
}

fn info(f: &Folder) -> FolderInfo {
    FolderInfo {
        id: f.id,
        path: f.path.clone(),
        special: f.special,
        uid_validity: 7,
        uid_next: f.uid_next,
        highest_modseq: f.msgs.values().map(|m| m.modseq).max().unwrap_or(1),
        exists: f.msgs.len() as u32,
        unseen: f.msgs.values().filter(|m| !m.flags.seen).count() as u32,
        subscribed: f.subscribed,
        size: f.msgs.values().map(|m| m.raw.len() as u64).sum(),
        read_only: false,
    }
}

fn by_id(i: &mut Inner, id: MailFolderId) -> StoreResultOf<&mut Folder> {
    i.folders
        .iter_mut()
        .find(|f| f.id == id)
        .ok_or(StoreError::NotFound)
}

fn used(i: &Inner) -> u64 {
    i.folders
        .iter()
        .flat_map(|f| f.msgs.values())
        .map(|m| m.raw.len() as u64)
        .sum()
}

fn add(i: &mut Inner, to: MailFolderId, mut m: Msg) -> StoreResultOf<u32> {
    i.modseq += 1;
    let modseq = i.modseq;
    let f = by_id(i, to)?;
    m.uid = f.uid_next;
    m.modseq = modseq;
    f.uid_next += 1;
    f.msgs.insert(m.uid, m.clone());
    Ok(m.uid)
}

impl MailStore for MemStore {
    type Actor = ();

    async fn login(&self, user: &str, password: &str, _: &str) -> StoreResultOf<()> {
        match (user, password) {
            ("lehrer@100000", "pw") => Ok(()),
            ("schueler@100000", "pw") => Err(StoreError::Forbidden),
            _ => Err(StoreError::BadCredentials),
        }
    }

    fn owner(&self, _: &()) -> UserId {
        self.owner
    }

    fn max_message(&self) -> u64 {
        100_000
    }

    fn events(&self) -> broadcast::Receiver<MailEvent> {
        self.tx.subscribe()
    }

    async fn folders(&self, _: &()) -> StoreResultOf<Vec<FolderInfo>> {
        Ok(self.lock().folders.iter().map(info).collect())
    }

    async fn folder(&self, _: &(), path: &str) -> StoreResultOf<FolderInfo> {
        let i = self.lock();
        i.folders
            .iter()
            .find(|f| f.path == path)
            .map(info)
            .ok_or(StoreError::NotFound)
    }

    async fn create_folder(&self, _: &(), path: &str) -> StoreResultOf<()> {
        let mut i = self.lock();
        if i.folders.iter().any(|f| f.path == path) {
            return Err(StoreError::Conflict("exists".into()));
        }
        i.folders.push(Folder {
            id: MailFolderId(Uuid::now_v7()),
            path: path.into(),
            special: None,
            uid_next: 1,
            subscribed: true,
            msgs: BTreeMap::new(),
        });
        Ok(())
    }

    async fn rename_folder(&self, _: &(), from: &str, to: &str) -> StoreResultOf<()> {
        let mut i = self.lock();
        let f = i
            .folders
            .iter_mut()
            .find(|f| f.path == from && f.special.is_none())
            .ok_or(StoreError::NotFound)?;
        f.path = to.into();
        Ok(())
    }

    async fn delete_folder(&self, _: &(), path: &str) -> StoreResultOf<()> {
        let mut i = self.lock();
        let before = i.folders.len();
        i.folders.retain(|f| f.path != path || f.special.is_some());
        if i.folders.len() == before {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn subscribe_folder(&self, _: &(), path: &str, on: bool) -> StoreResultOf<()> {
        let mut i = self.lock();
        let f = i
            .folders
            .iter_mut()
            .find(|f| f.path == path)
            .ok_or(StoreError::NotFound)?;
        f.subscribed = on;
        Ok(())
    }

    async fn uids(&self, _: &(), folder: MailFolderId) -> StoreResultOf<Arc<Vec<UidFlags>>> {
        let mut i = self.lock();
        let f = by_id(&mut i, folder)?;
        Ok(Arc::new(
            f.msgs
                .values()
                .map(|m| UidFlags {
                    uid: m.uid,
                    modseq: m.modseq,
                    flags: m.flags.clone(),
                })
                .collect(),
        ))
    }

    async fn metas(
        &self,
        _: &(),
        folder: MailFolderId,
        uids: &[u32],
    ) -> StoreResultOf<Vec<MessageMeta>> {
        let mut i = self.lock();
        let f = by_id(&mut i, folder)?;
        Ok(uids
            .iter()
            .filter_map(|u| f.msgs.get(u))
            .map(|m| {
                let p = crate::mime::parse(&m.raw);
                let from = p.from().and_then(|a| a.first());
                MessageMeta {
                    id: m.id,
                    folder,
                    uid: m.uid,
                    modseq: m.modseq,
                    size: m.raw.len() as u64,
                    received_at: m.at,
                    sent_at: None,
                    flags: m.flags.clone(),
                    subject: p.subject().unwrap_or("").into(),
                    from_addr: from.and_then(|a| a.address.as_deref()).unwrap_or("").into(),
                    from_name: from.and_then(|a| a.name.as_deref()).unwrap_or("").into(),
                    to: String::new(),
                    cc: String::new(),
                    message_id: String::new(),
                    has_attachments: false,
                    preview: String::new(),
                    content: Default::default(),
                }
            })
            .collect())
    }

    async fn raw(&self, _: &(), m: &MessageMeta) -> StoreResultOf<Vec<u8>> {
        let id = m.id;
        let i = self.lock();
        i.folders
            .iter()
            .flat_map(|f| f.msgs.values())
            .find(|m| m.id == id)
            .map(|m| m.raw.clone())
            .ok_or(StoreError::NotFound)
    }

    async fn store_flags(
        &self,
        _: &(),
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> StoreResultOf<StoreResult> {
        let mut out = StoreResult::default();
        {
            let mut i = self.lock();
            let mut modseq = i.modseq;
            let f = by_id(&mut i, folder)?;
            for u in uids {
                let Some(m) = f.msgs.get_mut(u) else { continue };
                if unchanged_since.is_some_and(|s| m.modseq > s) {
                    out.failed.push(*u);
                    continue;
                }
                let new = m.flags.apply(op, flags);
                if new != m.flags {
                    modseq += 1;
                    m.flags = new;
                    m.modseq = modseq;
                    out.changed.push(UidFlags {
                        uid: *u,
                        modseq,
                        flags: m.flags.clone(),
                    });
                }
            }
            i.modseq = modseq;
        }
        self.event(folder);
        Ok(out)
    }

    async fn copy(
        &self,
        _: &(),
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> StoreResultOf<CopyResult> {
        let mut pairs = Vec::new();
        {
            let mut i = self.lock();
            let msgs: Vec<Msg> = {
                let f = by_id(&mut i, from)?;
                uids.iter().filter_map(|u| f.msgs.get(u).cloned()).collect()
            };
            for m in msgs {
                let src = m.uid;
                let copy = Msg {
                    id: MailMessageId(Uuid::now_v7()),
                    ..m
                };
                pairs.push((src, add(&mut i, to, copy)?));
            }
        }
        self.event(to);
        Ok(CopyResult {
            uid_validity: 7,
            pairs,
        })
    }

    async fn move_to(
        &self,
        a: &(),
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> StoreResultOf<CopyResult> {
        let r = self.copy(a, from, uids, to).await?;
        {
            let mut i = self.lock();
            let f = by_id(&mut i, from)?;
            for (src, _) in &r.pairs {
                f.msgs.remove(src);
            }
        }
        self.event(from);
        Ok(r)
    }

    async fn expunge(
        &self,
        _: &(),
        folder: MailFolderId,
        only: Option<&[u32]>,
    ) -> StoreResultOf<Vec<u32>> {
        let gone: Vec<u32> = {
            let mut i = self.lock();
            let f = by_id(&mut i, folder)?;
            let gone: Vec<u32> = f
                .msgs
                .values()
                .filter(|m| m.flags.deleted && only.is_none_or(|o| o.contains(&m.uid)))
                .map(|m| m.uid)
                .collect();
            for u in &gone {
                f.msgs.remove(u);
            }
            gone
        };
        self.event(folder);
        Ok(gone)
    }

    async fn append(
        &self,
        _: &(),
        folder: MailFolderId,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> StoreResultOf<(u32, u32)> {
        let uid = {
            let mut i = self.lock();
            if used(&i) + raw.len() as u64 > i.quota {
                return Err(StoreError::QuotaExceeded);
            }
            let m = Msg {
                id: MailMessageId(Uuid::now_v7()),
                uid: 0,
                modseq: 0,
                flags: flags.clone(),
                raw: raw.to_vec(),
                at: internal_date.unwrap_or_else(Utc::now),
            };
            add(&mut i, folder, m)?
        };
        self.event(folder);
        Ok((7, uid))
    }

    async fn usage(&self, _: &()) -> StoreResultOf<(u64, u64)> {
        let i = self.lock();
        Ok((used(&i), i.quota))
    }
}
