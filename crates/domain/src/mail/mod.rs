//! Mail: one service behind webmail, IMAP and SMTP. Messages enter through one ingest path
//! ([`ingest`]), whether delivered by SMTP, appended over IMAP or sent from the web; their
//! content is stored once in the blob store however many mailboxes receive it.

pub mod absence;
pub mod abuse;
pub mod abuse_council;
pub mod abuse_scope;
pub mod address;
pub mod admin;
pub mod auth;
pub mod bulk;
pub mod bus;
pub mod client_limits;
pub mod compose;
pub mod delegation;
mod demo;
pub mod filter;
mod folders;
mod ingest;
pub mod inspection;
mod messages;
pub mod outbound;
mod own_at_once;
pub mod parse;
mod quota;
mod shared;
mod smtp_support;
mod submit;
pub mod suggest;
mod view;

use chrono::{DateTime, Utc};
use schulhof_store::mail::messages::{FlagRow, MessageRow};
use schulhof_types::{InstanceId, MailFolderId, MailMessageId, UserId};
use serde::Serialize;

pub use bus::MailEvent;
pub use shared::{DelegatedMailbox, OTHER_USERS, split_other};
pub use submit::{InboundRcpt, RcptRefused, SubmitReport};

/// Limits and defaults of the mail service.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// The largest message taken, in bytes (SMTP SIZE, IMAP APPEND, webmail).
    pub max_message: u64,
    /// Mailbox size of teachers and staff unless the school sets another.
    pub quota_staff: u64,
    /// Mailbox size of students and externals unless the school sets another.
    pub quota_students: u64,
    /// Spam filter, virus scanner and the outgoing rate limit.
    pub filter: filter::FilterConfig,
    /// Connections and failed logins per client address on IMAP and SMTP.
    pub client_limits: client_limits::ClientLimits,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            max_message: 25 * 1024 * 1024,
            // Decimal, as the pages show sizes: "1 GB", "500 MB".
            quota_staff: 1_000_000_000,
            quota_students: 500_000_000,
            filter: filter::FilterConfig::default(),
            client_limits: client_limits::ClientLimits::default(),
        }
    }
}

/// The standard folders every mailbox has; clients learn them by SPECIAL-USE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Special {
    Inbox,
    Drafts,
    Sent,
    Trash,
    Junk,
    Archive,
}

impl Special {
    pub const ALL: [Special; 6] = [
        Special::Inbox,
        Special::Drafts,
        Special::Sent,
        Special::Trash,
        Special::Junk,
        Special::Archive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Special::Inbox => "inbox",
            Special::Drafts => "drafts",
            Special::Sent => "sent",
            Special::Trash => "trash",
            Special::Junk => "junk",
            Special::Archive => "archive",
        }
    }

    pub fn parse(s: &str) -> Option<Special> {
        Special::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The folder's stored name (and IMAP name).
    pub fn path(self) -> &'static str {
        match self {
            Special::Inbox => "INBOX",
            Special::Drafts => "Drafts",
            Special::Sent => "Sent",
            Special::Trash => "Trash",
            Special::Junk => "Junk",
            Special::Archive => "Archive",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FolderInfo {
    pub id: MailFolderId,
    /// Full name, levels separated by '/'.
    pub path: String,
    pub special: Option<Special>,
    pub uid_validity: u32,
    pub uid_next: u32,
    pub highest_modseq: u64,
    pub exists: u32,
    pub unseen: u32,
    pub subscribed: bool,
    pub size: u64,
    /// A folder of a mailbox delegated to the actor for reading only (IMAP `[READ-ONLY]`).
    pub read_only: bool,
}

/// IMAP system flags and keywords.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flags {
    pub seen: bool,
    pub answered: bool,
    pub flagged: bool,
    pub deleted: bool,
    pub draft: bool,
    pub keywords: Vec<String>,
}

/// How a flag change combines with the flags a message has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagOp {
    Add,
    Remove,
    Replace,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UidFlags {
    pub uid: u32,
    pub modseq: u64,
    pub flags: Flags,
}

/// A message as lists and protocols see it, without its content.
#[derive(Clone, Debug, Serialize)]
pub struct MessageMeta {
    pub id: MailMessageId,
    pub folder: MailFolderId,
    pub uid: u32,
    pub modseq: u64,
    pub size: u64,
    pub received_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub flags: Flags,
    pub subject: String,
    pub from_addr: String,
    pub from_name: String,
    pub to: String,
    pub cc: String,
    pub message_id: String,
    pub has_attachments: bool,
    pub preview: String,
    #[serde(skip)]
    pub content: ContentRef,
}

/// Where a message's content lies, as the domain found it for someone who may read the
/// message: only the domain makes one (empty by default), so a protocol that hands it back
/// to read the content (`Platform::mail_content`) reads no more than it was shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentRef(pub(crate) String);

/// The result of a flag change: what changed, and (UNCHANGEDSINCE) what was left alone.
#[derive(Clone, Debug, Default)]
pub struct StoreResult {
    pub changed: Vec<UidFlags>,
    pub failed: Vec<u32>,
}

/// UIDs of copied or moved messages in their new folder (COPYUID).
#[derive(Clone, Debug)]
pub struct CopyResult {
    pub uid_validity: u32,
    pub pairs: Vec<(u32, u32)>,
}

/// A webmail search; every given part must match, case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct MailQuery {
    pub folder: Option<MailFolderId>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub unseen_only: bool,
    pub limit: u32,
}

impl Flags {
    pub(crate) fn to_row(&self) -> FlagRow {
        FlagRow {
            seen: self.seen,
            answered: self.answered,
            flagged: self.flagged,
            deleted: self.deleted,
            draft: self.draft,
            keywords: self.keywords.join(" "),
        }
    }

    pub(crate) fn from_row(r: &FlagRow) -> Flags {
        Flags {
            seen: r.seen,
            answered: r.answered,
            flagged: r.flagged,
            deleted: r.deleted,
            draft: r.draft,
            keywords: r.keywords.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// These flags changed by `op` with `by`.
    pub fn apply(&self, op: FlagOp, by: &Flags) -> Flags {
        match op {
            FlagOp::Replace => by.clone(),
            FlagOp::Add | FlagOp::Remove => {
                let on = op == FlagOp::Add;
                let pick = |has: bool, given: bool| if given { on } else { has };
                let mut keywords = self.keywords.clone();
                for k in &by.keywords {
                    let at = keywords.iter().position(|x| x.eq_ignore_ascii_case(k));
                    match (on, at) {
                        (true, None) => keywords.push(k.clone()),
                        (false, Some(i)) => {
                            keywords.remove(i);
                        }
                        _ => {}
                    }
                }
                Flags {
                    seen: pick(self.seen, by.seen),
                    answered: pick(self.answered, by.answered),
                    flagged: pick(self.flagged, by.flagged),
                    deleted: pick(self.deleted, by.deleted),
                    draft: pick(self.draft, by.draft),
                    keywords,
                }
            }
        }
    }
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl From<MessageRow> for MessageMeta {
    fn from(r: MessageRow) -> Self {
        MessageMeta {
            id: r.id,
            folder: r.folder,
            uid: u32_of(r.uid),
            modseq: r.modseq.max(0) as u64,
            size: r.size.max(0) as u64,
            received_at: r.received_at,
            sent_at: r.sent_at,
            flags: Flags::from_row(&r.flags),
            subject: r.subject,
            from_addr: r.from_addr,
            from_name: r.from_name,
            to: r.to_addrs,
            cc: r.cc_addrs,
            message_id: r.message_id,
            has_attachments: r.has_attachments,
            preview: r.preview,
            content: ContentRef(r.blob_sha),
        }
    }
}

/// Whose mailbox: the school and the login.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mailbox {
    pub instance: InstanceId,
    pub owner: UserId,
}
