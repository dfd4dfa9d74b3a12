//! Attachments of events, chosen from the editor's own file areas (never the Safe).
//!
//! An attachment keeps the file's content as it was when attached: the same stored blob, no
//! copy, with the name, type and size of then (as the course files of the LMS do). Why a
//! snapshot and not a live link to the file: who reads the event (a class, a shared
//! calendar's readers) may not read the file itself; a later edit, move or deletion in the
//! editor's private file area must neither change what was handed out nor break the event;
//! and the event's ETag must change whenever what clients download changes, which only the
//! event's own writes can guarantee. The blob stays while an attachment refers to it (the
//! files' garbage collection asks `system_blob_referenced`).
//!
//! An attachment belongs to the stored object, i.e. to the whole series; it goes with the
//! object (foreign key, on delete cascade). Whoever reads the event's calendar (not only its
//! busy times) sees and downloads the attachments through an event-scoped address; everyone
//! else gets `NotFound`, as for the event itself. An invitee's copy of an event (scheduling)
//! lists the organiser's attachments too, downloaded through the copy's own address by
//! whoever reads the copy, while the invitation stands.
//!
//! iCalendar answers (CalDAV GET, multiget, calendar-query, `.ics` export and the
//! subscription feed) carry one `ATTACH;FMTTYPE=…;FILENAME=…;SIZE=…:<absolute URL>` per
//! attachment in each VEVENT/VTODO; the stored text stays byte for byte what was written.
//! Changing the attachments gives the object a new ETag and raises the sync token. An
//! `ATTACH` a client sends (by PUT) is stored with the text and answered as it came; our own
//! `ATTACH` lines a client sends back are dropped from answers and replaced by the current
//! list, so a removed attachment never reappears.

use calcard::icalendar::{
    ICalendar, ICalendarComponentType as Ty, ICalendarEntry, ICalendarParameter,
    ICalendarParameterName, ICalendarParameterValue, ICalendarProperty as P, ICalendarValue, Uri,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use schulhof_blob::BlobReader;
use schulhof_store::AsConn;
use schulhof_store::calendar::CalObjectId;
use schulhof_store::calendar::attachments::{self as store, AttachmentRow};
use schulhof_store::calendar::attendees;
use schulhof_store::calendar::calendars::{self as cals, CalendarRow};
use schulhof_store::calendar::objects as objects_store;
use schulhof_types::{InstanceId, NodeId};
use serde::Serialize;
use uuid::Uuid;

use super::objects::{etag_of, may_read, may_write};
use super::{CalendarError, CalendarId, ObjectInfo, ical, object_info};
use crate::Platform;
use crate::identity::Actor;

/// Attachments one event has at most.
pub const MAX_ATTACHMENTS: usize = 20;

/// An attachment as the event's readers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// What an event's page lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventAttachments {
    /// The event's own (who changes the event removes them).
    pub own: Vec<AttachmentInfo>,
    /// An invitation's copy: the organiser's (read only).
    pub organiser: Vec<AttachmentInfo>,
}

fn info(r: &AttachmentRow) -> AttachmentInfo {
    AttachmentInfo {
        id: r.id,
        name: r.name.clone(),
        mime: r.mime.clone(),
        size: r.size.max(0) as u64,
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters (one path segment).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where the attachments of an event are downloaded (below it, without the id).
fn prefix(cal: CalendarId, href: &str) -> String {
    format!("/kalender/{cal}/termin/{}/anhang/", segment(href))
}

/// The event-scoped, rights-checked address of one attachment (path only).
pub fn attachment_path(cal: CalendarId, href: &str, id: Uuid) -> String {
    format!("{}{id}", prefix(cal, href))
}

/// The ETag of an object's answer: its text's, or (with attachments) of the text and the
/// attachments together, so a client fetches anew when either changes.
fn answer_etag(raw: &str, list: &[AttachmentRow]) -> String {
    if list.is_empty() {
        return etag_of(raw.as_bytes());
    }
    let mut s = raw.to_owned();
    for a in list {
        s.push_str(&format!("\nATTACH {}", a.id));
    }
    etag_of(s.as_bytes())
}

fn attach_entry(base: &str, a: &AttachmentRow) -> ICalendarEntry {
    let url = format!("{base}{}", attachment_path(a.calendar, &a.href, a.id));
    ICalendarEntry {
        name: P::Attach,
        params: vec![
            ICalendarParameter::fmttype(a.mime.clone()),
            ICalendarParameter::filename(a.name.clone()),
            ICalendarParameter {
                name: ICalendarParameterName::Size,
                value: ICalendarParameterValue::Integer(a.size.max(0) as u64),
            },
        ],
        values: vec![ICalendarValue::Uri(Uri::Location(url))],
    }
}

fn value_text(v: &ICalendarValue) -> Option<&str> {
    match v {
        ICalendarValue::Uri(Uri::Location(s)) | ICalendarValue::Text(s) => Some(s),
        _ => None,
    }
}

/// Whether the text may hold an ATTACH property (names are case-insensitive; a folded
/// line never splits the name from its line start).
fn mentions_attach(raw: &str) -> bool {
    raw.as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"ATTACH"))
}

/// Whether an ATTACH value is our address of another event's attachment: an organiser's
/// lines that reached an invitee's copy (the copy's own reader may not open them there) or
/// an event's lines kept in a text copied from it. Another server's addresses stay.
fn ours_elsewhere(v: &str, base: &str) -> bool {
    let path = match base {
        "" => Some(v),
        b => v.strip_prefix(b),
    };
    path.is_some_and(|p| {
        p.starts_with("/kalender/") && p.contains("/termin/") && p.contains("/anhang/")
    })
}

/// The text with the event's attachments as `ATTACH` in each VEVENT/VTODO (our own
/// `ATTACH` lines a client sent back replaced). Unchanged when there is nothing to do.
pub(crate) fn decorate(
    raw: &str,
    cal: CalendarId,
    href: &str,
    list: &[&AttachmentRow],
    base: &str,
) -> String {
    let ours = prefix(cal, href);
    if list.is_empty() && !mentions_attach(raw) {
        return raw.to_owned();
    }
    let Ok(mut parsed): Result<ICalendar, _> = ical::parse_one(raw) else {
        return raw.to_owned();
    };
    for comp in parsed.components.iter_mut() {
        if !matches!(comp.component_type, Ty::VEvent | Ty::VTodo) {
            continue;
        }
        comp.entries.retain(|e| {
            e.name != P::Attach
                || !e
                    .values
                    .first()
                    .and_then(value_text)
                    .is_some_and(|v| v.contains(&ours) || ours_elsewhere(v, base))
        });
        for a in list {
            comp.entries.push(attach_entry(base, a));
        }
    }
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = parsed.write_to(&mut s);
    s
}

/// Calendars whose attachments are kept in memory at most (then all are forgotten).
const MEMO_MOST: usize = 10_000;

type Memo = HashMap<(InstanceId, CalendarId), (i64, Arc<Vec<AttachmentRow>>)>;

/// The attachments of a calendar as they were at its modseq. The modseq is in the database
/// and rises with every attach and removal (in the same transaction), so an entry is right
/// on every node without being told; the calendar's row is read before its attachments.
fn memo() -> &'static Mutex<Memo> {
    static M: OnceLock<Mutex<Memo>> = OnceLock::new();
    M.get_or_init(Default::default)
}

/// The attachments of a calendar by object name, for answers with texts.
pub(crate) struct CalendarAttachments {
    rows: Arc<Vec<AttachmentRow>>,
    base: String,
    cal: CalendarId,
}

impl CalendarAttachments {
    pub(crate) fn apply(&self, href: &str, raw: String) -> String {
        let list: Vec<&AttachmentRow> = self.rows.iter().filter(|r| r.href == href).collect();
        if list.is_empty() && !mentions_attach(&raw) {
            return raw;
        }
        decorate(&raw, self.cal, href, &list, &self.base)
    }
}

impl Platform {
    /// Absolute links start here: the public base URL when set, else links stay paths.
    fn attach_base(&self) -> String {
        self.config
            .outbound
            .public_url
            .as_deref()
            .map_or(String::new(), |u| u.trim_end_matches('/').to_owned())
    }

    /// Every attachment of a calendar, for decorating answers: none without a statement when
    /// the calendar's row says it has none, else kept in memory for the calendar's state (its
    /// modseq, which every change of an attachment raises), else one statement.
    pub(crate) async fn calendar_attachments_within(
        &self,
        c: &mut impl AsConn,
        inst: InstanceId,
        cal: &CalendarRow,
    ) -> Result<CalendarAttachments, CalendarError> {
        let key = (inst, cal.id);
        let known = memo()
            .lock()
            .ok()
            .and_then(|m| m.get(&key).filter(|(at, _)| *at == cal.modseq).cloned());
        let rows = match known {
            Some((_, rows)) => rows,
            // The calendar's row said so: nothing to read.
            None if !cal.has_attachments => Arc::default(),
            None => {
                let rows = Arc::new(store::of_calendar(c, inst, cal.id).await?);
                if let Ok(mut m) = memo().lock() {
                    if m.len() >= MEMO_MOST {
                        m.clear();
                    }
                    m.insert(key, (cal.modseq, rows.clone()));
                }
                rows
            }
        };
        Ok(CalendarAttachments {
            rows,
            base: self.attach_base(),
            cal: cal.id,
        })
    }

    /// The attachments of an event the caller reads (`NotFound` otherwise: a hidden calendar,
    /// one whose busy times only are seen, another school's).
    pub async fn calendar_attachments(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<Vec<AttachmentInfo>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let rows = store::of_href(&mut c, a.token.instance(), cal, href).await?;
        Ok(rows.iter().map(info).collect())
    }

    /// Attaches files of the caller's file areas to an event the caller may change: all or,
    /// if one cannot be attached, none. Only files the caller reads, never the Safe's, never
    /// another school's; at most [`MAX_ATTACHMENTS`] per event. The same content, no copy.
    pub async fn calendar_attach_files(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        nodes: &[NodeId],
    ) -> Result<Vec<Uuid>, CalendarError> {
        if nodes.is_empty() || nodes.len() > MAX_ATTACHMENTS {
            return Err(crate::DomainError::invalid(
                "knoten",
                format!("Bitte 1 bis {MAX_ATTACHMENTS} Dateien auswählen."),
            )
            .into());
        }
        let inst = a.token.instance();
        // The event first: who may not change it learns nothing about the files.
        let (object, _) = self.attachable(a, cal, href).await?;
        // Files are located on their own connections, before the transaction.
        let mut picked = Vec::with_capacity(nodes.len());
        for node in nodes {
            let located = self.locate(a, *node).await.map_err(|e| match e {
                crate::DomainError::NotFound | crate::DomainError::Forbidden => {
                    CalendarError::NotFound
                }
                other => other.into(),
            })?;
            if located.area.is_safe() || located.entry(a).is_none() {
                return Err(CalendarError::NotFound);
            }
            let n = located.node();
            let sha = match (&n.blob_sha, n.is_dir, n.deleted_at, located.guest) {
                (Some(sha), false, None, None) => sha.clone(),
                _ => return Err(CalendarError::NotFound),
            };
            picked.push(AttachmentRow {
                id: Uuid::now_v7(),
                calendar: cal,
                object,
                href: href.to_owned(),
                name: n.name.clone(),
                mime: n
                    .mime
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size: n.size,
                blob_sha: sha,
                node_id: Some(n.id.0),
            });
        }
        let mut tx = self.db.begin().await?;
        let (row, info) = self.calendar_row(&mut tx, a, cal).await?;
        let (o, raw) = objects_store::get(&mut tx, inst, cal, href)
            .await?
            .ok_or(CalendarError::NotFound)?;
        may_write(a, &row, &info, Some(&o))?;
        let mut all = store::of_object(&mut tx, inst, o.id).await?;
        if all.len() + picked.len() > MAX_ATTACHMENTS {
            return Err(crate::DomainError::invalid(
                "knoten",
                format!(
                    "Ein Termin hat höchstens {MAX_ATTACHMENTS} Anhänge (jetzt {}).",
                    all.len()
                ),
            )
            .into());
        }
        let now = self.now();
        for p in picked.iter_mut() {
            p.object = o.id;
        }
        for p in &picked {
            store::insert(&mut tx, inst, p, a.user.id, now).await?;
        }
        all.extend(picked.iter().cloned());
        self.attachments_changed(&mut tx, inst, cal, o.id, &raw, &all)
            .await?;
        tx.commit().await?;
        Ok(picked.into_iter().map(|p| p.id).collect())
    }

    /// Removes an attachment from an event the caller may change.
    pub async fn calendar_remove_attachment(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        id: Uuid,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let (row, info) = self.calendar_row(&mut tx, a, cal).await?;
        may_read(a, &row)?;
        let (o, raw) = objects_store::get(&mut tx, inst, cal, href)
            .await?
            .ok_or(CalendarError::NotFound)?;
        may_write(a, &row, &info, Some(&o))?;
        if !store::delete(&mut tx, inst, o.id, id).await? {
            return Err(CalendarError::NotFound);
        }
        let all = store::of_object(&mut tx, inst, o.id).await?;
        self.attachments_changed(&mut tx, inst, cal, o.id, &raw, &all)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One attachment's content, for whoever reads the event.
    pub async fn calendar_attachment_content(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        id: Uuid,
    ) -> Result<(AttachmentInfo, String, BlobReader), CalendarError> {
        let f = {
            let mut c = self.db.read().await?;
            let (row, _) = self.calendar_row(&mut c, a, cal).await?;
            may_read(a, &row)?;
            store::of_href(&mut c, a.token.instance(), cal, href)
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(CalendarError::NotFound)?
        };
        self.attachment_opened(f).await
    }

    /// An attachment the caller may read, with its content to stream.
    async fn attachment_opened(
        &self,
        f: AttachmentRow,
    ) -> Result<(AttachmentInfo, String, BlobReader), CalendarError> {
        let reader = self
            .blobs
            .open_read(&f.blob_sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok((info(&f), f.blob_sha, reader))
    }

    /// The event, when the caller may change its attachments (the picker asks first).
    pub async fn calendar_may_attach(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<ObjectInfo, CalendarError> {
        Ok(self.attachable(a, cal, href).await?.1)
    }

    /// The event's object id when the caller may change it.
    async fn attachable(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<(CalObjectId, ObjectInfo), CalendarError> {
        let mut c = self.db.read().await?;
        let (row, info) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let (o, _) = objects_store::get(&mut c, a.token.instance(), cal, href)
            .await?
            .ok_or(CalendarError::NotFound)?;
        may_write(a, &row, &info, Some(&o))?;
        Ok((o.id, object_info(&o)))
    }

    /// A series split at an occurrence ("this and following"): the new part `to` carries
    /// the attachments of `from` — new rows of the new object, the same blobs, no copy —
    /// and the old part keeps its own. Inside the split's transaction, after both are
    /// written by the caller's checks.
    pub(crate) async fn carry_attachments(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        cal: CalendarId,
        from: &str,
        to: &str,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let rows = store::of_href(c, inst, cal, from).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let (o, raw) = objects_store::get(c, inst, cal, to)
            .await?
            .ok_or(CalendarError::NotFound)?;
        let now = self.now();
        let mut all = store::of_object(c, inst, o.id).await?;
        for r in rows {
            let n = AttachmentRow {
                id: Uuid::now_v7(),
                object: o.id,
                href: to.to_owned(),
                ..r
            };
            store::insert(c, inst, &n, a.user.id, now).await?;
            all.push(n);
        }
        self.attachments_changed(c, inst, cal, o.id, &raw, &all)
            .await
    }

    /// The attachments an event's page lists, for whoever reads the event (`NotFound`
    /// otherwise, other schools included): its own and, when it is the invitee's copy of
    /// an invitation, the organiser's — while the copy is the current one of an
    /// invitation (an uninvited person's or a deleted copy shows none of them).
    pub async fn calendar_event_attachments(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<EventAttachments, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let inst = a.token.instance();
        let own = store::of_href(&mut c, inst, cal, href).await?;
        let organiser = self.organiser_rows(&mut c, inst, &row, href).await?;
        Ok(EventAttachments {
            own: own.iter().map(info).collect(),
            organiser: organiser.iter().map(info).collect(),
        })
    }

    /// One of the organiser's attachments of an invitation, through the invitee's copy
    /// (rights as [`Platform::calendar_event_attachments`]).
    pub async fn calendar_invitation_attachment_content(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        id: Uuid,
    ) -> Result<(AttachmentInfo, String, BlobReader), CalendarError> {
        let f = {
            let mut c = self.db.read().await?;
            let (row, _) = self.calendar_row(&mut c, a, cal).await?;
            may_read(a, &row)?;
            self.organiser_rows(&mut c, a.token.instance(), &row, href)
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(CalendarError::NotFound)?
        };
        self.attachment_opened(f).await
    }

    /// The attachments of the master whose invitation copy is `href` in the calendar (none
    /// when it is no copy; copies live in personal calendars only). The caller checked that
    /// the calendar is read.
    async fn organiser_rows(
        &self,
        c: &mut impl AsConn,
        inst: InstanceId,
        cal: &CalendarRow,
        href: &str,
    ) -> Result<Vec<AttachmentRow>, CalendarError> {
        if cal.kind != "personal" {
            return Ok(Vec::new());
        }
        let Some((o, _)) = objects_store::get(c, inst, cal.id, href).await? else {
            return Ok(Vec::new());
        };
        let Some(invited) = attendees::by_copy(c, inst, o.id).await? else {
            return Ok(Vec::new());
        };
        Ok(store::of_object(c, inst, invited.object).await?)
    }

    /// The object's answer changed: a new ETag, and the calendar's sync token raised.
    async fn attachments_changed(
        &self,
        c: &mut impl AsConn,
        inst: InstanceId,
        cal: CalendarId,
        object: CalObjectId,
        raw: &str,
        all: &[AttachmentRow],
    ) -> Result<(), CalendarError> {
        let modseq = cals::bump(c, inst, cal).await?;
        store::set_etag(c, inst, object, &answer_etag(raw, all), modseq).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T080000Z\r\nDTEND:20260105T090000Z\r\nSUMMARY:Konferenz\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn row(cal: CalendarId, name: &str) -> AttachmentRow {
        AttachmentRow {
            id: Uuid::now_v7(),
            calendar: cal,
            object: CalObjectId::new(),
            href: "a b.ics".into(),
            name: name.into(),
            mime: "application/pdf".into(),
            size: 1234,
            blob_sha: "x".into(),
            node_id: None,
        }
    }

    #[test]
    fn attach_lines_are_added_and_ours_replaced() {
        let cal = CalendarId::new();
        let a = row(cal, "Plan; Stand 1.pdf");
        let out = decorate(EVENT, cal, "a b.ics", &[&a], "https://s.test");
        let unfolded = out.replace("\r\n ", "");
        let url = format!(
            "https://s.test/kalender/{cal}/termin/a%20b.ics/anhang/{}",
            a.id
        );
        assert!(unfolded.contains(&url), "{out}");
        assert!(unfolded.contains("FMTTYPE=application/pdf"), "{out}");
        assert!(unfolded.contains("FILENAME=\"Plan; Stand 1.pdf\""), "{out}");
        // A client sends our line back; the attachment was removed meanwhile.
        let back = decorate(&out, cal, "a b.ics", &[], "https://s.test");
        assert!(!back.contains("ATTACH"), "{back}");
        // Another client's ATTACH stays.
        let foreign = EVENT.replace("SUMMARY", "ATTACH:https://example.org/x.pdf\r\nSUMMARY");
        let kept = decorate(&foreign, cal, "a b.ics", &[&a], "https://s.test");
        assert!(kept.contains("ATTACH:https://example.org/x.pdf"), "{kept}");
        assert_eq!(kept.matches("ATTACH").count(), 2, "{kept}");
        // Nothing to do: the text stays byte for byte.
        assert_eq!(decorate(EVENT, cal, "a b.ics", &[], ""), EVENT);
    }

    #[test]
    fn etag_changes_with_the_attachments() {
        let cal = CalendarId::new();
        let a = row(cal, "x.pdf");
        assert_eq!(answer_etag(EVENT, &[]), etag_of(EVENT.as_bytes()));
        assert_ne!(
            answer_etag(EVENT, std::slice::from_ref(&a)),
            answer_etag(EVENT, &[])
        );
    }
}
