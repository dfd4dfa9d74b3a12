//! The live properties of every kind of resource, and which of them allprop/propname list.

use crate::path;
use crate::store::{Collection, Kind, ObjectMeta, Principal};
use crate::xml::write::Value;
use crate::xml::{APPLE, CALDAV, CARDDAV, CS, DAV, Name};

/// The largest calendar object or vCard taken by PUT.
pub const MAX_RESOURCE_SIZE: usize = 1024 * 1024;

const SYNC_PREFIX: &str = "urn:schulhof:sync:";

pub fn sync_token(n: u64) -> String {
    format!("{SYNC_PREFIX}{n}")
}

/// The number in a sync token we issued; `None` for anything else.
pub fn parse_sync_token(token: &str) -> Option<u64> {
    token.strip_prefix(SYNC_PREFIX)?.parse().ok()
}

/// The text of an object as the answer gets it: as stored, or already escaped (a kept
/// fragment, see `fragments`).
#[derive(Clone, Copy, Debug)]
pub enum Data<'a> {
    Raw(&'a str),
    Escaped(&'a crate::fragments::Escaped),
}

impl Data<'_> {
    /// The length of the stored text in bytes.
    fn len(self) -> usize {
        match self {
            Data::Raw(s) => s.len(),
            Data::Escaped(e) => e.raw_len,
        }
    }

    fn value(self) -> Value {
        match self {
            Data::Raw(s) => Value::Text(s.to_owned()),
            Data::Escaped(e) => Value::Escaped(e.xml.clone()),
        }
    }
}

/// A resource whose properties are asked for.
pub enum Res<'a> {
    Root,
    Principals,
    Principal(&'a Principal),
    Home(Kind, &'a str),
    Collection(&'a Collection),
    Object {
        coll: &'a Collection,
        meta: &'a ObjectMeta,
        data: Option<Data<'a>>,
    },
}

impl Res<'_> {
    pub fn href(&self) -> String {
        match self {
            Res::Root => path::ROOT.to_owned(),
            Res::Principals => "/dav/principals/".to_owned(),
            Res::Principal(p) => path::principal_href(&p.login),
            Res::Home(k, login) => path::home_href(*k, login),
            Res::Collection(c) => path::collection_href(&c.id),
            Res::Object { coll, meta, .. } => path::object_href(&coll.id, &meta.name),
        }
    }
}

fn n(ns: &str, local: &str) -> Name {
    Name::new(ns, local)
}

/// The properties allprop returns and propname lists (RFC 4918 §9.1: live properties a
/// server computes expensively, like calendar-data, are left out of allprop).
pub fn names(res: &Res<'_>) -> Vec<Name> {
    let mut v = vec![
        n(DAV, "resourcetype"),
        n(DAV, "displayname"),
        n(DAV, "current-user-principal"),
    ];
    match res {
        Res::Root | Res::Principals => {}
        Res::Principal(_) => v.extend([
            n(DAV, "principal-URL"),
            n(CALDAV, "calendar-home-set"),
            n(CARDDAV, "addressbook-home-set"),
            n(CALDAV, "calendar-user-address-set"),
        ]),
        Res::Home(..) => v.extend([n(DAV, "owner"), n(DAV, "current-user-privilege-set")]),
        Res::Collection(c) => {
            v.extend([
                n(DAV, "owner"),
                n(DAV, "current-user-privilege-set"),
                n(DAV, "supported-report-set"),
                n(DAV, "sync-token"),
                n(CS, "getctag"),
            ]);
            match c.id.kind {
                Kind::Calendar => v.extend([
                    n(CALDAV, "calendar-description"),
                    n(CALDAV, "supported-calendar-component-set"),
                    n(CALDAV, "supported-calendar-data"),
                    n(CALDAV, "max-resource-size"),
                    n(APPLE, "calendar-color"),
                ]),
                Kind::AddressBook => v.extend([
                    n(CARDDAV, "addressbook-description"),
                    n(CARDDAV, "supported-address-data"),
                    n(CARDDAV, "max-resource-size"),
                ]),
            }
        }
        Res::Object { .. } => {
            v.retain(|x| !x.is(DAV, "displayname"));
            v.extend([
                n(DAV, "getetag"),
                n(DAV, "getcontenttype"),
                n(DAV, "current-user-privilege-set"),
            ]);
        }
    }
    v
}

/// The value of `name` on `res`, or `None` where it is not defined (404 in its propstat).
pub fn value(res: &Res<'_>, name: &Name, me: &Principal) -> Option<Value> {
    let text = |s: &str| Some(Value::Text(s.to_owned()));
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "current-user-principal") => Some(Value::Href(path::principal_href(&me.login))),
        (DAV, "principal-collection-set") => Some(Value::Href("/dav/principals/".into())),
        (DAV, "resourcetype") => Some(resourcetype(res)),
        _ => match res {
            Res::Root | Res::Principals => match name.local.as_str() {
                "displayname" if name.ns == DAV => text("Schulhof"),
                _ => None,
            },
            Res::Principal(p) => principal_prop(p, name),
            Res::Home(kind, login) => home_prop(*kind, login, name),
            Res::Collection(c) => collection_prop(c, name),
            Res::Object { coll, meta, data } => object_prop(coll, meta, *data, name),
        },
    }
}

fn resourcetype(res: &Res<'_>) -> Value {
    Value::Xml(match res {
        Res::Root | Res::Principals | Res::Home(..) => "<d:collection/>".into(),
        Res::Principal(_) => "<d:collection/><d:principal/>".into(),
        Res::Collection(c) => match c.id.kind {
            Kind::Calendar => "<d:collection/><c:calendar/>".into(),
            Kind::AddressBook => "<d:collection/><card:addressbook/>".into(),
        },
        Res::Object { .. } => return Value::Empty,
    })
}

fn principal_prop(p: &Principal, name: &Name) -> Option<Value> {
    Some(match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "displayname") => Value::Text(p.display_name.clone()),
        (DAV, "principal-URL") => Value::Href(path::principal_href(&p.login)),
        (CALDAV, "calendar-home-set") => Value::Href(path::home_href(Kind::Calendar, &p.login)),
        (CARDDAV, "addressbook-home-set") => {
            Value::Href(path::home_href(Kind::AddressBook, &p.login))
        }
        (CALDAV, "calendar-user-address-set") => {
            let mut hrefs = vec![path::principal_href(&p.login)];
            if let Some(mail) = &p.email {
                hrefs.insert(0, format!("mailto:{mail}"));
            }
            Value::Hrefs(hrefs)
        }
        (CALDAV, "calendar-user-type") => Value::Text("INDIVIDUAL".into()),
        (CALDAV, "schedule-inbox-URL") => Value::Href(crate::schedule::href(
            &p.login,
            crate::schedule::Mailbox::Inbox,
        )),
        (CALDAV, "schedule-outbox-URL") => Value::Href(crate::schedule::href(
            &p.login,
            crate::schedule::Mailbox::Outbox,
        )),
        _ => return None,
    })
}

fn home_prop(kind: Kind, login: &str, name: &Name) -> Option<Value> {
    Some(match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "displayname") => Value::Text(login.to_owned()),
        (DAV, "owner") => Value::Href(path::principal_href(login)),
        // A calendar can be made in one's own home (MKCALENDAR); the store decides.
        (DAV, "current-user-privilege-set") => privileges(kind, true, false),
        _ => return None,
    })
}

fn collection_prop(c: &Collection, name: &Name) -> Option<Value> {
    let text = |s: &str| Some(Value::Text(s.to_owned()));
    let cal = c.id.kind == Kind::Calendar;
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "displayname") => text(&c.display_name),
        (DAV, "owner") => Some(Value::Href(path::principal_href(&c.id.home))),
        (DAV, "current-user-privilege-set") => {
            Some(privileges(c.id.kind, c.writable, c.manageable))
        }
        (DAV, "supported-report-set") => Some(supported_reports(c.id.kind)),
        (DAV, "sync-token") => text(&sync_token(c.sync_token)),
        (CS, "getctag") => text(&c.sync_token.to_string()),
        (CALDAV, "calendar-description") if cal => c.description.as_deref().and_then(text),
        (CARDDAV, "addressbook-description") if !cal => c.description.as_deref().and_then(text),
        (APPLE, "calendar-color") if cal => c.color.as_deref().and_then(text),
        (CALDAV, "supported-calendar-component-set") if cal => Some(Value::Xml(
            c.components
                .iter()
                .map(|k| format!("<c:comp name=\"{}\"/>", k.name()))
                .collect(),
        )),
        (CALDAV, "supported-calendar-data") if cal => Some(Value::Xml(
            "<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>".into(),
        )),
        (CARDDAV, "supported-address-data") if !cal => Some(Value::Xml(
            "<card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>\
             <card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>"
                .into(),
        )),
        (CALDAV, "max-resource-size") if cal => text(&MAX_RESOURCE_SIZE.to_string()),
        (CARDDAV, "max-resource-size") if !cal => text(&MAX_RESOURCE_SIZE.to_string()),
        _ => None,
    }
}

fn object_prop(
    c: &Collection,
    meta: &ObjectMeta,
    data: Option<Data<'_>>,
    name: &Name,
) -> Option<Value> {
    let cal = c.id.kind == Kind::Calendar;
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "getetag") => Some(Value::Text(format!("\"{}\"", meta.etag))),
        (DAV, "getcontenttype") => Some(Value::Text(content_type(c.id.kind).into())),
        (DAV, "getcontentlength") => data.map(|d| Value::Text(d.len().to_string())),
        (DAV, "current-user-privilege-set") => Some(privileges(c.id.kind, c.writable, false)),
        (CALDAV, "calendar-data") if cal => data.map(Data::value),
        (CARDDAV, "address-data") if !cal => data.map(Data::value),
        _ => None,
    }
}

/// Whether `name` is the object text (calendar-data or address-data), which needs the data.
pub fn wants_data(names: &[Name]) -> bool {
    names.iter().any(|n| {
        n.is(CALDAV, "calendar-data")
            || n.is(CARDDAV, "address-data")
            || n.is(DAV, "getcontentlength")
    })
}

pub fn content_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Calendar => "text/calendar; charset=utf-8",
        Kind::AddressBook => "text/vcard; charset=utf-8",
    }
}

fn privileges(kind: Kind, writable: bool, manageable: bool) -> Value {
    let mut list = vec!["<d:read/>"];
    if kind == Kind::Calendar {
        list.push("<c:read-free-busy/>");
    }
    if writable {
        list.extend(["<d:write-content/>", "<d:bind/>", "<d:unbind/>"]);
    }
    if manageable {
        list.extend(["<d:write/>", "<d:write-properties/>"]);
    }
    Value::Xml(
        list.iter()
            .map(|p| format!("<d:privilege>{p}</d:privilege>"))
            .collect(),
    )
}

fn supported_reports(kind: Kind) -> Value {
    let reports: &[&str] = match kind {
        Kind::Calendar => &[
            "c:calendar-query",
            "c:calendar-multiget",
            "c:free-busy-query",
            "d:sync-collection",
        ],
        Kind::AddressBook => &[
            "card:addressbook-query",
            "card:addressbook-multiget",
            "d:sync-collection",
        ],
    };
    Value::Xml(
        reports
            .iter()
            .map(|r| {
                format!("<d:supported-report><d:report><{r}/></d:report></d:supported-report>")
            })
            .collect(),
    )
}
