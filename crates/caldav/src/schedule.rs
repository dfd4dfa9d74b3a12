//! CalDAV scheduling (RFC 6638) on top of implicit scheduling in the domain: the
//! scheduling inbox and outbox of each calendar user (`…/calendars/<login>/inbox/` and
//! `…/outbox/`), and free/busy requests POSTed to the outbox.
//!
//! Invitations are delivered straight into the attendee's default calendar (the domain
//! writes the copy when the organiser stores the event), so the inbox holds no messages;
//! it exists so clients find it and learn the default calendar
//! (`schedule-default-calendar-URL`). Replies work the same way: an attendee changes its
//! PARTSTAT in its copy, the organiser's copy follows.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::error::{DavError, DavResult};
use crate::handler::{DavRequest, multistatus};
use crate::path::{self, Target};
use crate::request::{self, Props};
use crate::store::{Busy, DavStore, FreeBusyReply, Kind};
use crate::xml::write::{Multistatus, Value, escape_text};
use crate::xml::{CALDAV, DAV, Name};

/// The two scheduling collections of a calendar user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailbox {
    Inbox,
    Outbox,
}

impl Mailbox {
    fn segment(self) -> &'static str {
        match self {
            Mailbox::Inbox => "inbox",
            Mailbox::Outbox => "outbox",
        }
    }
}

/// The href of a mailbox of `login`.
pub fn href(login: &str, m: Mailbox) -> String {
    format!("{}{}/", path::home_href(Kind::Calendar, login), m.segment())
}

/// The mailbox a target names (the collection itself, or a member of it), with its home.
pub fn mailbox(target: &Target) -> Option<(Mailbox, &str, bool)> {
    let (c, member) = match target {
        Target::Collection(c) => (c, false),
        Target::Object(c, _) => (c, true),
        _ => return None,
    };
    if c.kind != Kind::Calendar {
        return None;
    }
    let m = match c.name.as_str() {
        "inbox" => Mailbox::Inbox,
        "outbox" => Mailbox::Outbox,
        _ => return None,
    };
    Some((m, c.home.as_str(), member))
}

/// A request on a mailbox. Only the caller's own exist; members of the inbox never do.
pub async fn handle<S: DavStore>(
    store: &S,
    target: &Target,
    req: &DavRequest,
) -> DavResult<Response> {
    let Some((m, home, member)) = mailbox(target) else {
        return Err(DavError::NotFound);
    };
    if home != store.me().login || member {
        return Err(DavError::NotFound);
    }
    match (req.method.as_str(), m) {
        ("PROPFIND", _) => propfind(store, m, req),
        // Nothing waits in the inbox: delivery is straight into the calendar.
        ("REPORT", Mailbox::Inbox) => Ok(multistatus(Multistatus::new().finish(None))),
        ("POST", Mailbox::Outbox) => post(store, req).await,
        ("OPTIONS", _) => Ok(crate::handler::options()),
        _ => Err(DavError::MethodNotAllowed),
    }
}

fn value(m: Mailbox, login: &str, name: &Name) -> Option<Value> {
    let inbox = m == Mailbox::Inbox;
    Some(match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "resourcetype") => {
            Value::Xml(format!("<d:collection/><c:schedule-{}/>", m.segment()))
        }
        (DAV, "displayname") => Value::Text(if inbox { "Eingang" } else { "Ausgang" }.into()),
        (DAV, "owner") => Value::Href(path::principal_href(login)),
        (DAV, "current-user-principal") => Value::Href(path::principal_href(login)),
        (DAV, "current-user-privilege-set") => Value::Xml(if inbox {
            "<d:privilege><d:read/></d:privilege><d:privilege><c:schedule-deliver/></d:privilege>"
                .into()
        } else {
            "<d:privilege><d:read/></d:privilege><d:privilege><c:schedule-send/></d:privilege>"
                .into()
        }),
        (CALDAV, "schedule-default-calendar-URL") if inbox => Value::Href(format!(
            "{}personal/",
            path::home_href(Kind::Calendar, login)
        )),
        (CALDAV, "supported-calendar-component-set") => Value::Xml(if inbox {
            "<c:comp name=\"VEVENT\"/><c:comp name=\"VTODO\"/>".into()
        } else {
            "<c:comp name=\"VFREEBUSY\"/>".into()
        }),
        _ => return None,
    })
}

fn propfind<S: DavStore>(store: &S, m: Mailbox, req: &DavRequest) -> DavResult<Response> {
    let asked = request::propfind(&req.body)?;
    let login = store.me().login.clone();
    let all = [
        Name::new(DAV, "resourcetype"),
        Name::new(DAV, "displayname"),
        Name::new(DAV, "owner"),
        Name::new(DAV, "current-user-privilege-set"),
        Name::new(CALDAV, "schedule-default-calendar-URL"),
        Name::new(CALDAV, "supported-calendar-component-set"),
    ];
    let names: Vec<Name> = match asked {
        Props::Names(n) => n,
        Props::All | Props::PropName => all
            .into_iter()
            .filter(|n| value(m, &login, n).is_some())
            .collect(),
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match value(m, &login, &n) {
            Some(v) => found.push((n, v)),
            None => missing.push(n),
        }
    }
    let mut ms = Multistatus::new();
    ms.props(&href(&login, m), &found, &missing);
    Ok(multistatus(ms.finish(None)))
}

async fn post<S: DavStore>(store: &S, req: &DavRequest) -> DavResult<Response> {
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| DavError::Bad("Die Anfrage ist kein UTF-8-Text.".into()))?;
    let upper = text.to_ascii_uppercase();
    if !upper.contains("BEGIN:VFREEBUSY") {
        // Invitations are scheduled implicitly when the event is stored (PUT); a client
        // sending iTIP itself is told so.
        return Err(DavError::condition(
            StatusCode::FORBIDDEN,
            CALDAV,
            "supported-calendar-component",
            "Über den Ausgang gehen nur Frei/Belegt-Anfragen; Einladungen verschickt der Server beim Speichern des Termins.",
        ));
    }
    let reply = store
        .schedule_free_busy(text)
        .await
        .map_err(|e| DavError::from_store(e, None))?;
    let body = schedule_response(&reply, Utc::now());
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    Ok(r)
}

/// The `C:schedule-response` for a free/busy request: a VFREEBUSY reply with busy periods
/// for each recipient the caller may ask about, 3.7 (invalid calendar user) for the rest.
pub fn schedule_response(r: &FreeBusyReply, now: DateTime<Utc>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<c:schedule-response xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">",
    );
    for (addr, busy) in &r.recipients {
        out.push_str("<c:response><c:recipient><d:href>mailto:");
        out.push_str(&escape_text(addr));
        out.push_str("</d:href></c:recipient>");
        match busy {
            Some(b) => {
                out.push_str("<c:request-status>2.0;Success</c:request-status><c:calendar-data>");
                out.push_str(&escape_text(&vfreebusy_reply(r, addr, b, now)));
                out.push_str("</c:calendar-data>");
            }
            None => out.push_str("<c:request-status>3.7;Invalid calendar user</c:request-status>"),
        }
        out.push_str("</c:response>");
    }
    out.push_str("</c:schedule-response>\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// METHOD:REPLY with one VFREEBUSY for `addr` (RFC 5546 §3.3.3): busy periods only.
fn vfreebusy_reply(r: &FreeBusyReply, addr: &str, busy: &[Busy], now: DateTime<Utc>) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof//CalDAV//DE\r\nMETHOD:REPLY\r\nBEGIN:VFREEBUSY\r\n",
    );
    if !r.uid.is_empty() {
        out.push_str(&format!("UID:{}\r\n", r.uid));
    }
    out.push_str(&format!("DTSTAMP:{}\r\n", stamp(now)));
    out.push_str(&format!(
        "DTSTART:{}\r\nDTEND:{}\r\n",
        stamp(r.start),
        stamp(r.end)
    ));
    if !r.organizer.is_empty() {
        out.push_str(&format!("ORGANIZER:mailto:{}\r\n", r.organizer));
    }
    out.push_str(&format!("ATTENDEE:mailto:{addr}\r\n"));
    for b in busy {
        let kind = if b.tentative {
            "BUSY-TENTATIVE"
        } else {
            "BUSY"
        };
        out.push_str(&format!(
            "FREEBUSY;FBTYPE={kind}:{}/{}\r\n",
            stamp(b.start),
            stamp(b.end)
        ));
    }
    out.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    out
}
