//! What the IMAP front-end needs from the mail service, as a trait: the platform implements
//! it (see `platform.rs`), and the session tests drive it with an in-memory mailbox.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use schulhof_types::{MailFolderId, UserId};
use tokio::sync::broadcast;

pub use schulhof_domain::mail::{
    CopyResult, FlagOp, Flags, FolderInfo, MailEvent, MessageMeta, Special, StoreResult, UidFlags,
};

/// Why the mail service refused; each maps to one IMAP answer (see `respond.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    BadCredentials,
    Throttled,
    /// The login lacks the right (e.g. `mail.clients`).
    Forbidden,
    NotFound,
    QuotaExceeded,
    TooBig,
    Invalid(String),
    Conflict(String),
    Internal(String),
}

pub type StoreResultOf<T> = Result<T, StoreError>;

/// The mail service seen from one IMAP session. Folder paths use '/' between levels.
pub trait MailStore: Clone + Send + Sync + 'static {
    type Actor: Clone + Send + Sync + 'static;

    fn login(
        &self,
        user: &str,
        password: &str,
        client_addr: &str,
    ) -> impl Future<Output = StoreResultOf<Self::Actor>> + Send;
    /// Counts a new connection from `ip`; `Err(seconds)` refuses it (too many connections
    /// from the address lately), to try again after that long.
    fn connection(&self, ip: std::net::IpAddr) -> impl Future<Output = Result<(), u64>> + Send {
        let _ = ip;
        async { Ok(()) }
    }
    /// Whose mailbox the actor opens (live events are filtered by it).
    fn owner(&self, a: &Self::Actor) -> UserId;
    /// The largest message taken, in bytes.
    fn max_message(&self) -> u64;
    fn events(&self) -> broadcast::Receiver<MailEvent>;

    fn folders(
        &self,
        a: &Self::Actor,
    ) -> impl Future<Output = StoreResultOf<Vec<FolderInfo>>> + Send;
    fn folder(
        &self,
        a: &Self::Actor,
        path: &str,
    ) -> impl Future<Output = StoreResultOf<FolderInfo>> + Send;
    /// The id of the folder at `path`, without its counts (APPEND's target).
    fn folder_id(
        &self,
        a: &Self::Actor,
        path: &str,
    ) -> impl Future<Output = StoreResultOf<MailFolderId>> + Send {
        async move { Ok(self.folder(a, path).await?.id) }
    }
    fn create_folder(
        &self,
        a: &Self::Actor,
        path: &str,
    ) -> impl Future<Output = StoreResultOf<()>> + Send;
    fn rename_folder(
        &self,
        a: &Self::Actor,
        from: &str,
        to: &str,
    ) -> impl Future<Output = StoreResultOf<()>> + Send;
    fn delete_folder(
        &self,
        a: &Self::Actor,
        path: &str,
    ) -> impl Future<Output = StoreResultOf<()>> + Send;
    fn subscribe_folder(
        &self,
        a: &Self::Actor,
        path: &str,
        on: bool,
    ) -> impl Future<Output = StoreResultOf<()>> + Send;

    /// Every message of the folder in UID order, with flags. The list may be shared with
    /// other sessions (copy on write).
    fn uids(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
    ) -> impl Future<Output = StoreResultOf<Arc<Vec<UidFlags>>>> + Send;
    /// The folder at `path` and its messages (SELECT); counts agree with the list.
    fn select(
        &self,
        a: &Self::Actor,
        path: &str,
    ) -> impl Future<Output = StoreResultOf<(FolderInfo, Arc<Vec<UidFlags>>)>> + Send {
        async move {
            let f = self.folder(a, path).await?;
            let msgs = self.uids(a, f.id).await?;
            Ok((f, msgs))
        }
    }
    /// For QRESYNC: UIDs known to have left the folder at or before MODSEQ `since`
    /// (ascending; those without such knowledge are not listed), and the folder's next UID
    /// (0: unknown).
    fn left_before(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
        since: u64,
    ) -> impl Future<Output = StoreResultOf<(Vec<u32>, u32)>> + Send {
        let _ = (a, folder, since);
        async { Ok((Vec::new(), 0)) }
    }
    /// Envelope rows of these UIDs (those that exist), in UID order.
    fn metas(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
        uids: &[u32],
    ) -> impl Future<Output = StoreResultOf<Vec<MessageMeta>>> + Send;
    /// The whole message of one of `metas`' answers (which decided the reading).
    fn raw(
        &self,
        a: &Self::Actor,
        m: &MessageMeta,
    ) -> impl Future<Output = StoreResultOf<Vec<u8>>> + Send;
    fn store_flags(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> impl Future<Output = StoreResultOf<StoreResult>> + Send;
    fn copy(
        &self,
        a: &Self::Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> impl Future<Output = StoreResultOf<CopyResult>> + Send;
    fn move_to(
        &self,
        a: &Self::Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> impl Future<Output = StoreResultOf<CopyResult>> + Send;
    /// Removes the messages flagged \Deleted (only those in `only` when given).
    fn expunge(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
        only: Option<&[u32]>,
    ) -> impl Future<Output = StoreResultOf<Vec<u32>>> + Send;
    /// Stores a message; returns (UIDVALIDITY, UID).
    fn append(
        &self,
        a: &Self::Actor,
        folder: MailFolderId,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> impl Future<Output = StoreResultOf<(u32, u32)>> + Send;
    /// APPEND to the folder at `path`: the folder and (UIDVALIDITY, UID) or why the APPEND
    /// was refused. The outer error: the folder could not be opened (not found: TRYCREATE).
    /// The platform looks up the folder and checks the quota in one read.
    #[allow(clippy::type_complexity)]
    fn append_to(
        &self,
        a: &Self::Actor,
        path: &str,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> impl Future<Output = StoreResultOf<(MailFolderId, StoreResultOf<(u32, u32)>)>> + Send {
        async move {
            let folder = self.folder_id(a, path).await?;
            let filed = self.append(a, folder, raw, flags, internal_date).await;
            Ok((folder, filed))
        }
    }
    /// (bytes used, quota).
    fn usage(&self, a: &Self::Actor) -> impl Future<Output = StoreResultOf<(u64, u64)>> + Send;
}
