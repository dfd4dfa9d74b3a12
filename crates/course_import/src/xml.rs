//! XML files of an archive read into a small tree with a streaming reader: bounded depth, no
//! DOCTYPE (so no entity expansion), element names without their namespace prefix (Moodle
//! uses none, cartridges use several that mean the same here). Errors name file and position.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::ImportError;

/// One element: local name, attributes (with their prefixes, e.g. `xml:base`), children, text.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at `path` below this one (`a/b/c`).
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |el, name| el.child(name))
    }

    /// The text at `path`, `None` if missing or Moodle's `$@NULL@$`.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.as_str())
            .filter(|t| *t != "$@NULL@$")
    }

    /// The trimmed text at `path`, empty if missing.
    pub fn str_at(&self, path: &str) -> &str {
        self.text_at(path).map_or("", str::trim)
    }

    /// The integer at `path`, `None` if missing or not a number.
    pub fn int_at(&self, path: &str) -> Option<i64> {
        self.text_at(path)?.trim().parse().ok()
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Nesting deeper than this is refused whatever [`crate::Limits`] says: the tree is dropped
/// and walked recursively.
const HARD_MAX_DEPTH: usize = 256;

/// The root element of `file` (named in errors).
pub(crate) fn parse(file: &str, xml: &[u8], max_depth: usize) -> Result<Element, ImportError> {
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml).map_err(|e| {
        let (line, column) = line_col(&xml[..e.valid_up_to()]);
        ImportError::Xml {
            file: file.to_owned(),
            line,
            column,
            message: "kein gültiges UTF-8".into(),
        }
    })?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let fail = |pos: u64, message: String| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        let (line, column) = line_col(&text.as_bytes()[..pos]);
        ImportError::Xml {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    };
    let mut tree = Tree {
        stack: Vec::new(),
        root: None,
        max_depth: max_depth.min(HARD_MAX_DEPTH),
    };
    loop {
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(fail(reader.error_position(), e.to_string())),
        };
        match tree.take(event) {
            Ok(true) => {}
            Ok(false) => break,
            Err(m) => return Err(fail(reader.buffer_position(), m)),
        }
    }
    if !tree.stack.is_empty() {
        return Err(fail(
            reader.buffer_position(),
            "nicht geschlossenes Element".into(),
        ));
    }
    tree.root
        .ok_or_else(|| fail(reader.buffer_position(), "kein Wurzelelement".into()))
}

/// The tree under construction.
struct Tree {
    stack: Vec<Element>,
    root: Option<Element>,
    max_depth: usize,
}

impl Tree {
    /// Adds one event; `false` at the end of the document.
    fn take(&mut self, event: Event<'_>) -> Result<bool, String> {
        match event {
            Event::Start(_) | Event::Empty(_) if self.root.is_some() => {
                return Err("mehr als ein Wurzelelement".into());
            }
            Event::Start(_) | Event::Empty(_) if self.stack.len() >= self.max_depth => {
                return Err(format!("mehr als {} Ebenen verschachtelt", self.max_depth));
            }
            Event::Start(e) => self.stack.push(element(&e)?),
            Event::Empty(e) => {
                let el = element(&e)?;
                self.close(el);
            }
            Event::End(_) => {
                let el = self.stack.pop().ok_or("unerwartetes Endtag")?;
                self.close(el);
            }
            Event::Text(t) => self.push_text(&t.xml10_content()),
            Event::CData(t) => self.push_text(&t.into_inner()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_xml_entity(&r.xml10_content())
                        .ok_or("unbekannte Entität")?
                        .to_owned(),
                };
                self.push_text(&s);
            }
            Event::DocType(_) => return Err("DOCTYPE ist nicht erlaubt".into()),
            Event::Eof => return Ok(false),
            _ => {}
        }
        Ok(true)
    }

    fn close(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.root = Some(el),
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(s);
        }
    }
}

/// 1-based line and column (in characters) at the end of `before`.
fn line_col(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let last = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(before, |i| &before[i + 1..]);
    let column = String::from_utf8_lossy(last).chars().count() + 1;
    (line, column)
}

fn element(e: &BytesStart<'_>) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((a.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: e.local_name().as_ref().to_owned(),
        attrs,
        ..Element::default()
    })
}
