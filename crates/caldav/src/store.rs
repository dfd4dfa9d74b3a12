//! What the protocol needs from the calendars and address books, as seen by one
//! authenticated caller. The implementation (the adapter to the domain) decides every
//! access through the policy; the protocol only translates. Anything the caller may not see
//! is simply absent (`None` / [`StoreError::NotFound`]), so it answers 404 on every path.

use std::future::Future;

use chrono::{DateTime, Utc};

/// Calendars or address books.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Calendar,
    AddressBook,
}

/// A user as a DAV principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The login, the path segment of `/dav/principals/<login>/`.
    pub login: String,
    pub display_name: String,
    /// The official mail address (calendar-user-address-set), when the user has one.
    pub email: Option<String>,
}

/// One collection as `(kind, home login, name)`: `/dav/calendars/<home>/<name>/`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CollectionRef {
    pub kind: Kind,
    pub home: String,
    pub name: String,
}

/// The calendar component types a calendar takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Event,
    Todo,
    Journal,
}

impl Component {
    pub fn name(self) -> &'static str {
        match self {
            Component::Event => "VEVENT",
            Component::Todo => "VTODO",
            Component::Journal => "VJOURNAL",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "VEVENT" => Some(Component::Event),
            "VTODO" => Some(Component::Todo),
            "VJOURNAL" => Some(Component::Journal),
            _ => None,
        }
    }
}

/// A calendar or address book as listed in a home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collection {
    pub id: CollectionRef,
    pub display_name: String,
    pub description: Option<String>,
    /// `#RRGGBB` or `#RRGGBBAA` (Apple's calendar-color).
    pub color: Option<String>,
    /// Grows with every change of the collection or its objects (getctag, sync-token).
    pub sync_token: u64,
    /// Whether the caller may change its objects (the policy's verdict).
    pub writable: bool,
    /// Whether the caller may rename, recolour or delete the collection itself.
    pub manageable: bool,
    /// Calendars only: the components it takes.
    pub components: Vec<Component>,
}

/// One calendar object or vCard without its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The last path segment, e.g. `4f1c….ics`.
    pub name: String,
    /// The entity tag without quotes.
    pub etag: String,
}

/// One object with its stored text, byte for byte as the client sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub meta: ObjectMeta,
    pub data: String,
}

/// What `If-Match` / `If-None-Match: *` demand of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precondition {
    None,
    /// The object must exist with this entity tag (`If-Match: "…"`).
    IfMatch(String),
    /// The object must exist (`If-Match: *`).
    Exists,
    /// The object must not exist (`If-None-Match: *`).
    Absent,
}

/// What a successful PUT did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub created: bool,
    pub etag: String,
}

/// An interval `[start, end)`; either side may be open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// How a text-match compares (RFC 4791 §9.7.5, RFC 6352 §10.5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchType {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMatch {
    pub text: String,
    pub match_type: MatchType,
    /// `i;octet` instead of the default case-insensitive `i;ascii-casemap`/`i;unicode-casemap`.
    pub case_sensitive: bool,
    pub negate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropFilter {
    pub name: String,
    pub is_not_defined: bool,
    pub time_range: Option<TimeRange>,
    pub text_match: Vec<TextMatch>,
    /// CardDAV: all text-matches must hold (`test="allof"`); default any.
    pub all_of: bool,
}

/// A `comp-filter` of a calendar-query (the root names VCALENDAR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompFilter {
    pub name: String,
    pub is_not_defined: bool,
    pub time_range: Option<TimeRange>,
    pub props: Vec<PropFilter>,
    pub comps: Vec<CompFilter>,
}

/// The filter of an addressbook-query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFilter {
    pub props: Vec<PropFilter>,
    /// `test="allof"`: every prop-filter must match; default any.
    pub all_of: bool,
}

/// Busy time of a calendar in a range, for free-busy-query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tentative: bool,
}

/// What changed in a collection since a sync token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    pub token: u64,
    pub changed: Vec<ObjectMeta>,
    /// Names of deleted objects (tombstones).
    pub deleted: Vec<String>,
}

/// Properties a client may set on a collection (MKCALENDAR, PROPPATCH).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectionProps {
    /// `Some(None)` removes it.
    pub display_name: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub color: Option<Option<String>>,
    /// MKCALENDAR: the components asked for; empty means the default.
    pub components: Vec<Component>,
}

/// Why the store refused; each becomes a status or DAV precondition element.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("already exists")]
    Exists,
    /// Another object of the collection has this UID; its name.
    #[error("UID already used by {0}")]
    UidConflict(String),
    #[error("invalid data: {0}")]
    InvalidData(String),
    #[error("unsupported component")]
    UnsupportedComponent,
    #[error("too large")]
    TooLarge,
    #[error("invalid sync token")]
    InvalidSyncToken,
    #[error("internal: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The calendars and address books of one authenticated caller.
pub trait DavStore: Send + Sync {
    /// The caller.
    fn me(&self) -> &Principal;
    /// A principal the caller may see; `None` otherwise.
    fn principal(&self, login: &str)
    -> impl Future<Output = StoreResult<Option<Principal>>> + Send;
    /// The collections of a home the caller may see (group, school and resource calendars
    /// appear in the caller's own home).
    fn collections(
        &self,
        kind: Kind,
        home: &str,
    ) -> impl Future<Output = StoreResult<Vec<Collection>>> + Send;
    fn collection(
        &self,
        id: &CollectionRef,
    ) -> impl Future<Output = StoreResult<Option<Collection>>> + Send;
    /// Names and entity tags of all objects.
    fn objects(
        &self,
        id: &CollectionRef,
    ) -> impl Future<Output = StoreResult<Vec<ObjectMeta>>> + Send;
    fn get(
        &self,
        id: &CollectionRef,
        name: &str,
    ) -> impl Future<Output = StoreResult<Option<Object>>> + Send;
    /// The objects with these names; absent names are left out.
    fn multiget(
        &self,
        id: &CollectionRef,
        names: &[String],
    ) -> impl Future<Output = StoreResult<Vec<Object>>> + Send;
    /// Creates or replaces an object (validated by the domain's one ingest path).
    fn put(
        &self,
        id: &CollectionRef,
        name: &str,
        data: &str,
        pre: &Precondition,
    ) -> impl Future<Output = StoreResult<Written>> + Send;
    fn delete(
        &self,
        id: &CollectionRef,
        name: &str,
        pre: &Precondition,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Calendar objects matching a calendar-query filter (recurrences expanded).
    fn calendar_query(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> impl Future<Output = StoreResult<Vec<Object>>> + Send;
    /// The same without the texts for an answer that shows none (ETags only), or that
    /// takes them from kept fragments: a store may then skip reading them (`data` left
    /// empty), and fills in only those it read anyway (objects changed since it last
    /// answered), which spares the answer reading them by name.
    fn calendar_query_meta(
        &self,
        id: &CollectionRef,
        filter: &CompFilter,
    ) -> impl Future<Output = StoreResult<Vec<Object>>> + Send {
        self.calendar_query(id, filter)
    }
    /// A name for the collection unique in the whole installation when calendar-query
    /// answers for it may be kept per sync token (see `cache`); `None`: never kept.
    fn answer_scope(&self, _id: &CollectionRef) -> impl Future<Output = Option<String>> + Send {
        std::future::ready(None)
    }
    /// vCards matching an addressbook-query filter, at most `limit`.
    fn card_query(
        &self,
        id: &CollectionRef,
        filter: &CardFilter,
        limit: Option<usize>,
    ) -> impl Future<Output = StoreResult<Vec<Object>>> + Send;
    /// Changes since `token` (`None`: everything); an unknown or expired token is
    /// [`StoreError::InvalidSyncToken`].
    fn changes(
        &self,
        id: &CollectionRef,
        since: Option<u64>,
    ) -> impl Future<Output = StoreResult<Changes>> + Send;
    /// Busy periods only, never details.
    fn free_busy(
        &self,
        id: &CollectionRef,
        range: &TimeRange,
    ) -> impl Future<Output = StoreResult<Vec<Busy>>> + Send;
    /// A new personal calendar (or address book) in the caller's home.
    fn create_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_collection(
        &self,
        id: &CollectionRef,
        props: &CollectionProps,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn delete_collection(&self, id: &CollectionRef)
    -> impl Future<Output = StoreResult<()>> + Send;
    /// Deletes an object; `reply: false` (`Schedule-Reply: F`, RFC 6638 §8.1) keeps an
    /// attendee's deletion from answering the organiser.
    fn delete_scheduled(
        &self,
        id: &CollectionRef,
        name: &str,
        pre: &Precondition,
        reply: bool,
    ) -> impl Future<Output = StoreResult<()>> + Send {
        let _ = reply;
        self.delete(id, name, pre)
    }
    /// Answers a free/busy request POSTed to the outbox (the VFREEBUSY text as sent).
    fn schedule_free_busy(
        &self,
        request: &str,
    ) -> impl Future<Output = StoreResult<FreeBusyReply>> + Send {
        let _ = request;
        async { Err(StoreError::Forbidden) }
    }
}

/// The answer to a free/busy request: busy periods of each recipient, `None` for one the
/// caller may not ask about (another school, no person).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeBusyReply {
    pub uid: String,
    pub organizer: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub recipients: Vec<(String, Option<Vec<Busy>>)>,
}
