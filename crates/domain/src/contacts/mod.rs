//! Address books: each login's personal book (made on first use), further books created and
//! shared within the school, and the school address book generated from the school's people.
//! A contact enters through one path ([`Platform::contact_put`]) whether it comes from the
//! web form, a vCard import or a CardDAV PUT; its text is kept exactly as stored. Every
//! change raises the book's sync token and stamps the contact or its tombstone, as calendars
//! do (`/work/notes/contacts-api.md`).

mod books;
mod demo;
mod directory;
mod error;
#[cfg(test)]
mod fuzz;
mod import;
mod ingest;
mod query;
mod read;
mod settings;
mod suggest;
pub mod vcard;

use chrono::{DateTime, Utc};
use schulhof_store::contacts::cards::CardRow;
use serde::Serialize;

pub use books::{Share, ShareWith};
pub use directory::{DirectoryPage, DirectoryPerson, GeneratedCard, SchoolCards};
pub use error::ContactsError;
pub use import::{ImportPreview, ImportReport, LineError, PreviewCard};
pub use query::{CardPropFilter, CardQuery, CardTextMatch, MatchKind, card_matches};
pub use schulhof_authz::contacts::ShareLevel;
pub use schulhof_types::{AddressBookId, ContactId};
pub use suggest::ContactAddress;
pub use vcard::{ContactForm, Detail};

/// The largest single vCard taken (a photo inside makes cards big).
pub const MAX_CARD: usize = 256 * 1024;
/// The largest import file taken.
pub const MAX_IMPORT: usize = 5 * 1024 * 1024;
/// At most this many cards in one import.
pub const MAX_IMPORT_CARDS: usize = 5000;

/// Whose a book is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BookKind {
    /// A login's personal book.
    Personal,
    /// A further book.
    Shared,
}

/// What the caller may do in a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BookAccess {
    Read,
    Write,
    /// The owner: also rename, share and delete.
    Owner,
}

impl BookAccess {
    pub fn may_write(self) -> bool {
        self >= BookAccess::Write
    }
}

/// A book as the caller sees it.
#[derive(Clone, Debug, Serialize)]
pub struct BookInfo {
    pub id: AddressBookId,
    pub kind: BookKind,
    pub name: String,
    pub description: String,
    pub owner: schulhof_types::UserId,
    pub owner_name: String,
    pub access: BookAccess,
    /// Sync token and CTag: raised by every change in the book.
    pub modseq: i64,
    pub count: i64,
    pub updated_at: DateTime<Utc>,
}

impl BookInfo {
    /// The CTag clients compare to learn that something changed.
    pub fn ctag(&self) -> String {
        self.modseq.to_string()
    }
}

/// A contact without its text.
#[derive(Clone, Debug, Serialize)]
pub struct ContactInfo {
    pub id: ContactId,
    pub book: AddressBookId,
    /// The resource name clients know it by ("abc.vcf").
    pub href: String,
    pub uid: String,
    /// Without quotes (the DAV layer adds them).
    pub etag: String,
    pub modseq: i64,
    pub display_name: String,
    pub emails: Vec<String>,
    pub size: u64,
    pub updated_at: DateTime<Utc>,
}

impl From<CardRow> for ContactInfo {
    fn from(r: CardRow) -> Self {
        ContactInfo {
            id: r.id,
            book: r.book,
            href: r.href,
            uid: r.uid,
            etag: r.etag,
            modseq: r.modseq,
            display_name: r.display_name,
            emails: r
                .emails
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            size: r.size.max(0) as u64,
            updated_at: r.updated_at,
        }
    }
}

/// A contact with its vCard text, exactly as stored.
#[derive(Clone, Debug, Serialize)]
pub struct StoredContact {
    pub info: ContactInfo,
    pub raw: String,
}

/// A write's condition on what is stored (HTTP `If-Match`, `If-None-Match: *`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precondition {
    None,
    /// Only if the stored ETag is this one (quotes allowed; `*`: if anything is stored).
    IfMatch(String),
    /// Only if nothing is stored under the name yet.
    IfNoneMatch,
}

/// What a write did.
#[derive(Clone, Debug, Serialize)]
pub struct PutOutcome {
    pub info: ContactInfo,
    pub created: bool,
    /// False when the text had to be changed on the way in (a missing UID added): then the
    /// client must fetch it again, and a PUT answer carries no ETag.
    pub stored_as_sent: bool,
}

/// What changed in a book since a sync token.
#[derive(Clone, Debug, Serialize)]
pub struct Changes {
    pub modseq: i64,
    pub changed: Vec<ContactInfo>,
    pub deleted: Vec<String>,
}
