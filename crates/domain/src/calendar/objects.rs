//! The one ingest path of calendar objects ([`Platform::calendar_put`]) and reading,
//! listing and deleting them.

use schulhof_authz::calendar::{BookResource, ReadCalendar, WriteCalendar};
use schulhof_authz::check;
use schulhof_store::AsConn;
use schulhof_store::calendar::CalObjectId;
use schulhof_store::calendar::calendars::{self as cals, CalendarRow};
use schulhof_store::calendar::objects::{self as store, NewObject, ObjectRow};
use sha2::{Digest, Sha256};

use super::invite_mail::InviteMails;
use super::{
    CalAccess, CalendarError, CalendarId, CalendarInfo, CalendarKind, ObjectInfo, Precondition,
    PutOutcome, StoredObject, facts, ical, object_info,
};
use crate::Platform;
use crate::identity::Actor;

/// The ETag of a text: the first 128 bits of its SHA-256, hex.
pub(crate) fn etag_of(raw: &[u8]) -> String {
    Sha256::digest(raw)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A resource name inside a calendar: one path segment.
fn check_href(href: &str) -> Result<(), CalendarError> {
    let ok = !href.is_empty()
        && href.len() <= 255
        && href != "."
        && href != ".."
        && !href.contains('/')
        && !href.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(crate::DomainError::invalid(
            "href",
            "an object name is one path segment of 1 to 255 bytes",
        )
        .into())
    }
}

fn check_precondition(
    pre: &Precondition,
    existing: Option<&ObjectRow>,
) -> Result<(), CalendarError> {
    let ok = match (pre, existing) {
        (Precondition::None, _) => true,
        (Precondition::IfNoneMatch, e) => e.is_none(),
        (Precondition::IfMatch(_), None) => false,
        (Precondition::IfMatch(tag), Some(o)) => tag == "*" || *tag == o.etag,
    };
    if ok {
        Ok(())
    } else {
        Err(CalendarError::PreconditionFailed)
    }
}

/// May `a` write this object into (or delete it from) the calendar? Resource calendars take
/// bookings from who may book, and only the booker (or the admin) changes a booking.
pub(crate) fn may_write(
    a: &Actor,
    row: &CalendarRow,
    info: &CalendarInfo,
    existing: Option<&ObjectRow>,
) -> Result<(), CalendarError> {
    let f = facts(a, row).ok_or(CalendarError::NotFound)?;
    if info.kind == CalendarKind::Resource && info.access < CalAccess::Write {
        check(&a.token, BookResource(f)).map_err(|d| match d {
            schulhof_authz::Denied::Forbidden => CalendarError::NotBookable,
            other => other.into(),
        })?;
        if existing.is_some_and(|o| o.created_by != Some(a.user.id)) {
            return Err(CalendarError::Forbidden);
        }
        return Ok(());
    }
    check(&a.token, WriteCalendar(f))?;
    Ok(())
}

/// Reading a calendar's events (free/busy-only access is `NotFound`).
pub(crate) fn may_read(a: &Actor, row: &CalendarRow) -> Result<(), CalendarError> {
    let f = facts(a, row).ok_or(CalendarError::NotFound)?;
    check(&a.token, ReadCalendar(f))?;
    Ok(())
}

/// Where [`Platform::ingest`] writes: a calendar, its kind, the name and the object there.
pub(crate) struct Target<'a> {
    pub cal: CalendarId,
    pub kind: CalendarKind,
    pub href: &'a str,
    pub existing: Option<&'a ObjectRow>,
}

impl Platform {
    /// Stores an iCalendar object under `href`: the ONE ingest path for CalDAV PUT, ICS
    /// import and the web form. Checks the data, the preconditions, the UID's uniqueness and
    /// (resource calendars) double bookings, all in one transaction; invitation mails go
    /// out after it commits.
    pub async fn calendar_put(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        raw: &[u8],
        pre: Precondition,
    ) -> Result<PutOutcome, CalendarError> {
        check_href(href)?;
        let parsed = ical::parse(raw, a.time_zone)?;
        let mut tx = self.db.begin().await?;
        let mut mails = InviteMails::default();
        let out = self
            .put_in(&mut tx, a, cal, href, raw, &parsed, &pre, &mut mails)
            .await?;
        tx.commit().await?;
        self.calendar_send_invite_mails(mails).await;
        if parsed.public {
            // This node's feed copy (others hear the change on the bus).
            self.news_feed_changed(a.token.instance());
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn put_in(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        raw: &[u8],
        parsed: &ical::Parsed,
        pre: &Precondition,
        mails: &mut InviteMails,
    ) -> Result<PutOutcome, CalendarError> {
        let inst = a.token.instance();
        let (row, info) = self.calendar_row(c, a, cal).await?;
        let (existing, before) = match store::get(c, inst, cal, href).await? {
            Some((o, raw)) => (Some(o), Some(raw)),
            None => (None, None),
        };
        may_write(a, &row, &info, existing.as_ref())?;
        check_precondition(pre, existing.as_ref())?;
        if let Some(other) = store::by_uid(c, inst, cal, &parsed.uid).await?
            && other.href != href
        {
            return Err(CalendarError::UidConflict { href: other.href });
        }
        let to = Target {
            cal,
            kind: info.kind,
            href,
            existing: existing.as_ref(),
        };
        let o = self.ingest(c, inst, &to, raw, parsed, a.user.id).await?;
        let booking = match info.resource {
            Some(res) => Some(self.book(c, a, &info, res, &o, parsed).await?),
            None => None,
        };
        if info.own {
            // Implicit scheduling (RFC 6638): invitations out, answers back.
            let before = existing.as_ref().zip(before.as_deref());
            self.schedule_after_put(c, a, &o, parsed, before, mails)
                .await?;
        }
        Ok(PutOutcome {
            etag: o.etag,
            created: existing.is_none(),
            modseq: o.modseq,
            booking,
        })
    }

    /// Writes a checked object into a calendar: the one place objects are stored (a put,
    /// and the copies and answers scheduling delivers). Raises the calendar's sync token.
    pub(crate) async fn ingest(
        &self,
        c: &mut impl AsConn,
        inst: schulhof_types::InstanceId,
        to: &Target<'_>,
        raw: &[u8],
        parsed: &ical::Parsed,
        by: schulhof_types::UserId,
    ) -> Result<ObjectRow, CalendarError> {
        let text =
            std::str::from_utf8(raw).map_err(|_| CalendarError::invalid("not UTF-8 text"))?;
        let existing = to.existing;
        let modseq = cals::bump(c, inst, to.cal).await?;
        let o = ObjectRow {
            id: existing.map_or_else(CalObjectId::new, |e| e.id),
            calendar: to.cal,
            href: to.href.to_owned(),
            uid: parsed.uid.clone(),
            etag: etag_of(raw),
            modseq,
            component: parsed.component.as_str().to_owned(),
            size: raw.len() as i64,
            summary: parsed.summary.chars().take(500).collect(),
            first_start: parsed.first_start,
            last_end: parsed.last_end,
            recurring: parsed.recurring,
            all_day: parsed.all_day,
            public: parsed.public && to.kind == CalendarKind::School,
            transparent: parsed.transparent,
            created_by: existing.map_or(Some(by), |e| e.created_by),
        };
        let n = NewObject { row: &o, raw: text };
        if existing.is_some() {
            store::update(c, inst, &n, self.now()).await?;
        } else {
            store::insert(c, inst, &n, self.now()).await?;
        }
        super::occurrences::index(c, inst, &o, parsed).await?;
        if to.kind == CalendarKind::School && (o.public || existing.is_some_and(|e| e.public)) {
            // The public feeds and the start page show it: their version changes with it.
            self.feed_changed_within(c, inst).await?;
        }
        Ok(o)
    }

    /// One object with its text.
    pub async fn calendar_get(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<StoredObject, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let (o, raw) = store::get(&mut c, a.token.instance(), cal, href)
            .await?
            .ok_or(CalendarError::NotFound)?;
        // With its attachments as ATTACH (one statement; the text itself is kept as written).
        let att = self
            .calendar_attachments_within(&mut c, a.token.instance(), &row)
            .await?;
        Ok(StoredObject {
            raw: att.apply(&o.href, raw),
            info: object_info(&o),
        })
    }

    /// Every object of a calendar, without texts (PROPFIND Depth 1).
    pub async fn calendar_list(
        &self,
        a: &Actor,
        cal: CalendarId,
    ) -> Result<Vec<ObjectInfo>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let rows = store::list(&mut c, a.token.instance(), cal).await?;
        Ok(rows.iter().map(object_info).collect())
    }

    /// The objects with these names, with texts (calendar-multiget); absent names are
    /// simply missing from the answer.
    pub async fn calendar_multiget(
        &self,
        a: &Actor,
        cal: CalendarId,
        hrefs: &[String],
    ) -> Result<Vec<StoredObject>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let rows = store::multiget(&mut c, a.token.instance(), cal, hrefs).await?;
        let att = self
            .calendar_attachments_within(&mut c, a.token.instance(), &row)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(o, raw)| StoredObject {
                raw: att.apply(&o.href, raw),
                info: object_info(&o),
            })
            .collect())
    }

    /// Deletes an object; a tombstone tells syncing clients. A scheduled event is cancelled
    /// for its attendees, or (an attendee's copy) declined to its organiser.
    pub async fn calendar_delete_object(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        pre: Precondition,
    ) -> Result<(), CalendarError> {
        self.calendar_delete_scheduled(a, cal, href, pre, true)
            .await
    }

    /// [`Platform::calendar_delete_object`]; `reply: false` (CalDAV `Schedule-Reply: F`)
    /// tells the organiser nothing when an attendee deletes its copy.
    pub async fn calendar_delete_scheduled(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        pre: Precondition,
        reply: bool,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let (row, info) = self.calendar_row(&mut tx, a, cal).await?;
        let existing = store::get(&mut tx, inst, cal, href).await?.map(|(o, _)| o);
        let Some(o) = existing else {
            // Whoever may not read the calendar learns nothing from the answer.
            may_read(a, &row)?;
            return Err(CalendarError::NotFound);
        };
        may_write(a, &row, &info, Some(&o))?;
        check_precondition(&pre, Some(&o))?;
        let mut mails = InviteMails::default();
        if info.own {
            self.schedule_before_delete(&mut tx, a, &o, reply, &mut mails)
                .await?;
        }
        let modseq = cals::bump(&mut tx, inst, cal).await?;
        store::delete(&mut tx, inst, &o, modseq, self.now()).await?;
        if o.public {
            self.feed_changed_within(&mut tx, inst).await?;
        }
        tx.commit().await?;
        self.calendar_send_invite_mails(mails).await;
        if o.public {
            self.news_feed_changed(inst);
        }
        Ok(())
    }
}
