//! Writing multistatus and error bodies. Known namespaces get fixed prefixes declared on the
//! root; any other (a property a client asked for that we do not know) is declared where used.

use std::fmt::Write;

use super::{APPLE, CALDAV, CARDDAV, CS, DAV, Name};

const PREFIXES: [(&str, &str); 5] = [
    (DAV, "d"),
    (CALDAV, "c"),
    (CARDDAV, "card"),
    (CS, "cs"),
    (APPLE, "ical"),
];

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// A property value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Empty,
    Text(String),
    /// One `<d:href>`.
    Href(String),
    Hrefs(Vec<String>),
    /// Child elements, already written with the fixed prefixes.
    Xml(String),
    /// Text already escaped, shared with the fragments kept for calendar-queries.
    Escaped(std::sync::Arc<str>),
}

/// The `d:multistatus` answer being written.
pub struct Multistatus {
    out: String,
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// A document expected to grow to about `bytes` (no copying while it grows).
    pub fn with_capacity(bytes: usize) -> Self {
        let mut out = String::with_capacity(bytes.max(256));
        out.push_str(HEADER);
        out.push_str("<d:multistatus");
        declare_all(&mut out);
        out.push('>');
        Multistatus { out }
    }

    /// A response with a propstat for the found properties and a 404 one for the missing.
    pub fn props(&mut self, href: &str, found: &[(Name, Value)], missing: &[Name]) {
        self.out.push_str("<d:response>");
        href_el(&mut self.out, href);
        if !found.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for (name, value) in found {
                prop(&mut self.out, name, value);
            }
            self.out
                .push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        if !missing.is_empty() {
            self.propstat(missing, "404 Not Found");
        }
        self.out.push_str("</d:response>");
    }

    /// A response with one propstat of empty property elements and a status.
    pub fn prop_status(&mut self, href: &str, groups: &[(&[Name], &str)]) {
        self.out.push_str("<d:response>");
        href_el(&mut self.out, href);
        for (names, status) in groups {
            if !names.is_empty() {
                self.propstat(names, status);
            }
        }
        self.out.push_str("</d:response>");
    }

    fn propstat(&mut self, names: &[Name], status: &str) {
        self.out.push_str("<d:propstat><d:prop>");
        for name in names {
            prop(&mut self.out, name, &Value::Empty);
        }
        let _ = write!(
            self.out,
            "</d:prop><d:status>HTTP/1.1 {status}</d:status></d:propstat>"
        );
    }

    /// A response carrying only a status (e.g. a deleted member in sync-collection).
    pub fn status(&mut self, href: &str, status: &str) {
        self.out.push_str("<d:response>");
        href_el(&mut self.out, href);
        let _ = write!(
            self.out,
            "<d:status>HTTP/1.1 {status}</d:status></d:response>"
        );
    }

    /// Closes the document, with a `d:sync-token` for sync-collection.
    pub fn finish(mut self, sync_token: Option<&str>) -> String {
        if let Some(t) = sync_token {
            self.out.push_str("<d:sync-token>");
            self.out.push_str(&escape(t));
            self.out.push_str("</d:sync-token>");
        }
        self.out.push_str("</d:multistatus>\n");
        self.out
    }
}

/// A `d:error` body naming one precondition, with optional child content and siblings
/// (both already written).
pub fn error_body(name: &Name, inner: &str, extra: &str) -> String {
    let mut out = String::from(HEADER);
    out.push_str("<d:error");
    declare_all(&mut out);
    out.push('>');
    let tag = tag(name);
    if inner.is_empty() {
        let _ = write!(out, "<{}{}/>", tag.0, tag.1);
    } else {
        let _ = write!(out, "<{}{}>{inner}</{}>", tag.0, tag.1, tag.0);
    }
    out.push_str(extra);
    out.push_str("</d:error>\n");
    out
}

fn declare_all(out: &mut String) {
    for (ns, p) in PREFIXES {
        let _ = write!(out, " xmlns:{p}=\"{ns}\"");
    }
}

fn href_el(out: &mut String, href: &str) {
    let _ = write!(out, "<d:href>{}</d:href>", escape(href));
}

/// The qualified tag of `name` and a namespace declaration if it needs one.
fn tag(name: &Name) -> (String, String) {
    match PREFIXES.iter().find(|(ns, _)| *ns == name.ns) {
        Some((_, p)) => (format!("{p}:{}", name.local), String::new()),
        None if name.ns.is_empty() => (name.local.clone(), " xmlns=\"\"".into()),
        None => (
            format!("x:{}", name.local),
            format!(" xmlns:x=\"{}\"", escape(&name.ns)),
        ),
    }
}

fn prop(out: &mut String, name: &Name, value: &Value) {
    let (t, decl) = tag(name);
    match value {
        Value::Empty => {
            let _ = write!(out, "<{t}{decl}/>");
            return;
        }
        _ => {
            let _ = write!(out, "<{t}{decl}>");
        }
    }
    match value {
        Value::Empty => {}
        Value::Text(s) => push_escaped(out, s, false),
        Value::Href(h) => href_el(out, h),
        Value::Hrefs(hs) => hs.iter().for_each(|h| href_el(out, h)),
        Value::Xml(x) => out.push_str(x),
        Value::Escaped(x) => out.push_str(x),
    }
    let _ = write!(out, "</{t}>");
}

/// Escapes text and attribute values. A carriage return is written as a character
/// reference, so calendar data keeps its CRLF line ends through the client's XML parser.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped(&mut out, s, true);
    out
}

/// Escapes element text (quotes stay as they are, so ETags read `"…"`).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped(&mut out, s, false);
    out
}

/// Appends `s` escaped, copying the runs between special characters whole: a month of
/// calendar data is megabytes of text with a carriage return on every line.
fn push_escaped(out: &mut String, s: &str, quotes: bool) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quotes => "&quot;",
            b'\r' => "&#13;",
            _ => continue,
        };
        // ASCII bytes never sit inside a multi-byte character: the slices are whole.
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_and_line_ends() {
        let s = "SUMMARY:Prüfung <5a> & \"Mathe\"\r\nLOCATION:Raum 1\r\n";
        assert_eq!(
            escape(s),
            "SUMMARY:Prüfung &lt;5a&gt; &amp; &quot;Mathe&quot;&#13;\nLOCATION:Raum 1&#13;\n"
        );
        assert_eq!(
            escape_text(s),
            "SUMMARY:Prüfung &lt;5a&gt; &amp; \"Mathe\"&#13;\nLOCATION:Raum 1&#13;\n"
        );
        assert_eq!(escape("äöü€"), "äöü€");
        assert_eq!(escape(""), "");
        assert_eq!(escape_text("&quot;"), "&amp;quot;");
    }
}
