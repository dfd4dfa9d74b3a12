//! Request XML read into a small tree with a streaming reader: bounded in depth and element
//! count, no DOCTYPE (so no entity expansion), namespaces resolved. Everything after this
//! works on the tree; nothing here recurses.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// The deepest element nesting taken (a calendar-query filter needs about eight levels).
pub const MAX_DEPTH: usize = 32;
/// The most elements taken (a multiget of a few thousand hrefs).
pub const MAX_ELEMENTS: usize = 20_000;

/// One element: namespace, local name, attributes (unqualified ones only), children, text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a body is not taken; shown to the client as a 400.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("Der XML-Inhalt ist fehlerhaft: {0}")]
    Malformed(String),
    #[error("Der XML-Inhalt ist zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen).")]
    TooDeep,
    #[error("Der XML-Inhalt hat zu viele Elemente (höchstens {MAX_ELEMENTS}).")]
    TooMany,
    #[error("Der XML-Inhalt darf keine DOCTYPE-Angabe enthalten.")]
    DocType,
    #[error("Der XML-Inhalt ist leer.")]
    Empty,
}

/// The root element of `xml`.
pub fn parse(xml: &[u8]) -> Result<Element, XmlError> {
    let text =
        std::str::from_utf8(xml).map_err(|_| XmlError::Malformed("kein gültiges UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let ns = namespace(ns)?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(XmlError::Malformed("mehr als ein Wurzelelement".into()));
            }
            Event::Start(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooMany);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(element(ns, &e)?);
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooMany);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let el = element(ns, &e)?;
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unerwartetes Endtag".into()))?;
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.into_inner()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_xml_entity(&r.xml10_content())
                        .ok_or_else(|| XmlError::Malformed("unbekannte Entität".into()))?
                        .to_owned(),
                    Err(e) => return Err(XmlError::Malformed(e.to_string())),
                };
                push_text(&mut stack, &s);
            }
            Event::DocType(_) => return Err(XmlError::DocType),
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("nicht geschlossenes Element".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn namespace(ns: ResolveResult<'_>) -> Result<String, XmlError> {
    match ns {
        ResolveResult::Bound(n) => Ok(n.as_ref().to_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(p) => Err(XmlError::Malformed(format!(
            "unbekanntes Namensraum-Präfix {p:?}"
        ))),
    }
}

fn element(ns: String, e: &BytesStart<'_>) -> Result<Element, XmlError> {
    let name = e.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = a.key.as_ref();
        if key.contains(':') || key == "xmlns" {
            continue;
        }
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        attrs.push((key.to_owned(), value.into_owned()));
    }
    Ok(Element {
        ns,
        name,
        attrs,
        ..Element::default()
    })
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(s);
    }
}
