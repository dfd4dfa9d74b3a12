//! Calendars: personal, group, school and resource calendars with their iCalendar objects.
//! One ingest path ([`Platform::calendar_put`]) serves CalDAV, ICS import and the web form;
//! every access is decided by `schulhof_authz::calendar`. See /work/notes/calendar-api.md.

mod attachments;
mod collections;
mod demo;
mod error;
mod fields;
mod freebusy;
pub mod ical;
mod ics;
mod invitations;
mod invite_mail;
pub mod itip;
mod kept;
mod objects;
mod occurrences;
mod public;
mod query;
mod reindex;
mod resources;
mod scheduling;
mod series;
mod sharing;
mod views;

use chrono::{DateTime, Utc};
use schulhof_authz::calendar::{CalOwner, CalendarFacts};
use schulhof_store::calendar::calendars::CalendarRow;
use schulhof_store::calendar::objects::ObjectRow;
use schulhof_types::{GroupId, UserId};
use serde::Serialize;

pub use attachments::{AttachmentInfo, EventAttachments, MAX_ATTACHMENTS, attachment_path};
pub use error::CalendarError;
pub use fields::{EventFields, RuleFields};
pub use freebusy::FreeBusyAnswer;
pub use ics::{ImportItem, ImportPreview, ImportReport, MAX_IMPORT, SubscriptionInfo};
pub use invitations::{AttendeeInfo, Invitation, InviteeBusy, InviteeInfo, MAX_INVITEES};
pub use invite_mail::ANSWER_PATH;
pub use itip::PartStat;
pub use public::PublicEvent;
pub use resources::{NewResource, PendingBooking, ResourceInfo};
pub use schulhof_authz::calendar::CalAccess;
pub use schulhof_store::calendar::{BookingId, CalendarId, ResourceId, SubscriptionId};
pub use series::SeriesScope;
pub use sharing::{Share, ShareWith};

use crate::identity::Actor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarKind {
    Personal,
    Group,
    School,
    Resource,
}

impl CalendarKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarKind::Personal => "personal",
            CalendarKind::Group => "group",
            CalendarKind::School => "school",
            CalendarKind::Resource => "resource",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Personal, Self::Group, Self::School, Self::Resource]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A calendar as the caller sees it.
#[derive(Clone, Debug, Serialize)]
pub struct CalendarInfo {
    pub id: CalendarId,
    pub kind: CalendarKind,
    pub slug: String,
    pub name: String,
    pub colour: String,
    pub description: String,
    pub owner: Option<UserId>,
    pub group: Option<GroupId>,
    pub resource: Option<ResourceId>,
    /// What the caller may do here.
    #[serde(skip)]
    pub access: CalAccess,
    /// The caller's own personal calendar.
    pub own: bool,
    /// Resource calendars: the caller may book (put events into) it.
    pub may_book: bool,
    /// Resource calendars: bookings wait for the admin's approval.
    pub needs_approval: bool,
    /// The sync token, and the ctag.
    pub modseq: i64,
}

impl CalendarInfo {
    pub fn ctag(&self) -> String {
        self.modseq.to_string()
    }
}

/// The calendar component kinds taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Component {
    VEvent,
    VTodo,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::VEvent => "VEVENT",
            Component::VTodo => "VTODO",
        }
    }

    fn parse(s: &str) -> Component {
        if s == "VTODO" {
            Component::VTodo
        } else {
            Component::VEvent
        }
    }
}

/// An object without its text.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectInfo {
    pub href: String,
    pub uid: String,
    /// Without quotes.
    pub etag: String,
    pub modseq: i64,
    pub component: Component,
    pub summary: String,
    pub first_start: Option<DateTime<Utc>>,
    /// `None`: open end (endless recurrence).
    pub last_end: Option<DateTime<Utc>>,
    pub recurring: bool,
    pub all_day: bool,
    pub public: bool,
    pub size: u64,
}

/// An object with its original text, byte for byte.
#[derive(Clone, Debug)]
pub struct StoredObject {
    pub info: ObjectInfo,
    pub raw: String,
}

/// One object a calendar-query matched: only what its answer and prop-filters need, so a
/// month of a large calendar reads one narrow row per object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryHit {
    pub href: String,
    /// Without quotes.
    pub etag: String,
    pub uid: String,
    pub component: Component,
    /// The stored text, byte for byte, with the event's attachments as ATTACH lines (as GET
    /// answers it).
    pub raw: String,
}

/// HTTP preconditions of a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Precondition {
    None,
    /// If-Match with this ETag (without quotes); `*` is `IfMatch("*")`.
    IfMatch(String),
    /// If-None-Match: * (create only).
    IfNoneMatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Pending,
    Confirmed,
}

#[derive(Clone, Debug)]
pub struct PutOutcome {
    pub etag: String,
    pub created: bool,
    pub modseq: i64,
    /// Resource calendars: the state of the booking made.
    pub booking: Option<BookingStatus>,
}

/// A half-open time range [start, end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What changed in a calendar since a sync token.
#[derive(Clone, Debug)]
pub struct Changes {
    /// The new sync token.
    pub modseq: i64,
    pub changed: Vec<ObjectInfo>,
    /// Names of deleted objects.
    pub deleted: Vec<String>,
}

/// One occurrence of an event, for the views.
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    pub calendar: CalendarId,
    pub href: String,
    pub uid: String,
    pub summary: String,
    /// The place (LOCATION), empty when none.
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub recurring: bool,
    pub colour: String,
}

/// A busy interval (never with details).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// A booking still waiting for approval.
    pub tentative: bool,
}

/// Whose busy times are asked for.
#[derive(Clone, Copy, Debug)]
pub enum FreeBusyOf {
    User(UserId),
    Resource(ResourceId),
}

/// The facts the policy needs about a stored calendar, seen by `a`.
pub(crate) fn facts(a: &Actor, r: &CalendarRow) -> Option<CalendarFacts> {
    let owner = match CalendarKind::parse(&r.kind)? {
        CalendarKind::Personal => CalOwner::Personal(r.owner?),
        CalendarKind::Group => CalOwner::Group(r.group?),
        CalendarKind::School => CalOwner::School,
        CalendarKind::Resource => CalOwner::Resource {
            bookable: schulhof_authz::calendar::may_book(&a.token, &r.book_types, r.book_group),
        },
    };
    let shared = match r.share {
        2 => Some(CalAccess::Write),
        1 => Some(CalAccess::Read),
        _ => None,
    };
    Some(CalendarFacts {
        instance: a.token.instance(),
        owner,
        shared,
    })
}

/// The calendar as `a` sees it, or `None` when it is hidden from `a`.
pub(crate) fn info(a: &Actor, r: &CalendarRow) -> Option<CalendarInfo> {
    let f = facts(a, r)?;
    let access = schulhof_authz::calendar::access(&a.token, &f)?;
    let kind = CalendarKind::parse(&r.kind)?;
    // Another person's calendar shows busy times only: as a calendar it does not exist.
    if kind == CalendarKind::Personal && access == CalAccess::FreeBusy {
        return None;
    }
    Some(CalendarInfo {
        id: r.id,
        kind,
        slug: r.slug.clone(),
        name: r.name.clone(),
        colour: r.colour.clone(),
        description: r.description.clone(),
        owner: r.owner,
        group: r.group,
        resource: r.resource,
        access,
        own: kind == CalendarKind::Personal && r.owner == Some(a.user.id),
        may_book: matches!(f.owner, CalOwner::Resource { bookable: true }),
        needs_approval: r.needs_approval,
        modseq: r.modseq,
    })
}

pub(crate) fn object_info(r: &ObjectRow) -> ObjectInfo {
    ObjectInfo {
        href: r.href.clone(),
        uid: r.uid.clone(),
        etag: r.etag.clone(),
        modseq: r.modseq,
        component: Component::parse(&r.component),
        summary: r.summary.clone(),
        first_start: (r.first_start > ical::NO_START)
            .then(|| schulhof_store::from_us(r.first_start)),
        last_end: r.last_end.map(schulhof_store::from_us),
        recurring: r.recurring,
        all_day: r.all_day,
        public: r.public,
        size: r.size.max(0) as u64,
    }
}

impl crate::Platform {
    /// Whether the caller may use calendar clients (CalDAV): `calendar.clients`, decided by
    /// the policy so the DAV front-end never decides itself.
    pub fn calendar_clients_allowed(&self, a: &Actor) -> Result<(), CalendarError> {
        schulhof_authz::check(&a.token, schulhof_authz::calendar::UseCalendarClients)?;
        Ok(())
    }
}
