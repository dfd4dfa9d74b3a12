//! The URL space under `/dav/`: what a request path names, and the hrefs written back.

use crate::store::{CollectionRef, Kind};

pub const ROOT: &str = "/dav/";

/// What a path under `/dav/` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Root,
    Principals,
    Principal(String),
    Home(Kind, String),
    Collection(CollectionRef),
    Object(CollectionRef, String),
}

/// The target of a request path; `None` for anything outside the URL space (404).
pub fn parse(path: &str) -> Option<Target> {
    let rest = path.strip_prefix("/dav")?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let mut segments = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let s = decode(raw)?;
        if s == "." || s == ".." || s.contains('/') {
            return None;
        }
        segments.push(s);
    }
    let mut it = segments.into_iter();
    let (Some(area), user, coll, obj, extra) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return Some(Target::Root);
    };
    if extra.is_some() {
        return None;
    }
    let kind = match area.as_str() {
        "principals" => {
            return match (user, coll) {
                (None, _) => Some(Target::Principals),
                (Some(u), None) => Some(Target::Principal(u)),
                _ => None,
            };
        }
        "calendars" => Kind::Calendar,
        "addressbooks" => Kind::AddressBook,
        _ => return None,
    };
    match (user, coll, obj) {
        (Some(home), None, _) => Some(Target::Home(kind, home)),
        (Some(home), Some(name), None) => {
            Some(Target::Collection(CollectionRef { kind, home, name }))
        }
        (Some(home), Some(name), Some(o)) => {
            Some(Target::Object(CollectionRef { kind, home, name }, o))
        }
        (None, _, _) => None,
    }
}

fn area(kind: Kind) -> &'static str {
    match kind {
        Kind::Calendar => "calendars",
        Kind::AddressBook => "addressbooks",
    }
}

pub fn principal_href(login: &str) -> String {
    format!("/dav/principals/{}/", encode(login))
}

pub fn home_href(kind: Kind, login: &str) -> String {
    format!("/dav/{}/{}/", area(kind), encode(login))
}

pub fn collection_href(id: &CollectionRef) -> String {
    format!("{}{}/", home_href(id.kind, &id.home), encode(&id.name))
}

pub fn object_href(id: &CollectionRef, name: &str) -> String {
    format!("{}{}", collection_href(id), encode(name))
}

/// The object name of an href inside collection `id` (a multiget or sync href), if it is one.
pub fn object_in(id: &CollectionRef, href: &str) -> Option<String> {
    let path = strip_origin(href);
    match parse(path)? {
        Target::Object(c, name) if &c == id => Some(name),
        _ => None,
    }
}

/// `http://host/dav/…` → `/dav/…`.
fn strip_origin(href: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = href.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    href
}

/// Percent-encodes everything but unreserved characters and a few safe ones.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@+=,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes a segment; `None` if the result is not UTF-8.
pub fn decode(segment: &str) -> Option<String> {
    let b = segment.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_targets() {
        assert_eq!(parse("/dav/"), Some(Target::Root));
        assert_eq!(parse("/dav"), Some(Target::Root));
        assert_eq!(parse("/dav/principals/"), Some(Target::Principals));
        assert_eq!(
            parse("/dav/principals/lehrer/"),
            Some(Target::Principal("lehrer".into()))
        );
        let c = CollectionRef {
            kind: Kind::Calendar,
            home: "lehrer".into(),
            name: "privat".into(),
        };
        assert_eq!(
            parse("/dav/calendars/lehrer/privat/"),
            Some(Target::Collection(c.clone()))
        );
        assert_eq!(
            parse("/dav/calendars/lehrer/privat/a%20b.ics"),
            Some(Target::Object(c.clone(), "a b.ics".into()))
        );
        assert_eq!(parse("/dav/calendars/lehrer/privat/a/b"), None);
        assert_eq!(parse("/dav/calendars/lehrer/%2e%2e/"), None);
        assert_eq!(parse("/dav/calendars/lehrer/a%2Fb/"), None);
        assert_eq!(parse("/dav/other/"), None);
        assert_eq!(
            object_in(&c, "http://h:1/dav/calendars/lehrer/privat/x.ics"),
            Some("x.ics".into())
        );
        assert_eq!(object_in(&c, "/dav/calendars/lehrer/other/x.ics"), None);
        assert_eq!(
            object_href(&c, "a b.ics"),
            "/dav/calendars/lehrer/privat/a%20b.ics"
        );
    }
}
