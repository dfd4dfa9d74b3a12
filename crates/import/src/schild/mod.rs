//! The Schild-NRW "LOGINEO XML" reader (IMS Enterprise 1.1 shaped, format spec §3–§6).
//!
//! Streams the document with quick-xml: a [`Walker`] keeps the open elements (local names,
//! start lines, sibling counts for paths), and [`records::Records`] turns the elements of each
//! `person`, `group` and `membership` into the model. Namespaces are ignored on purpose: the
//! metaventis namespace and plain IMS files without one must read alike.

mod kinds;
mod records;

use std::io::BufRead;

use quick_xml::Error::IllFormed;
use quick_xml::Reader;
use quick_xml::errors::IllFormedError;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::container::io_message;
use crate::model::{ImportData, Position, ReadError};
use crate::xml_input::{LineCounter, utf8_input};
use records::Records;

/// Longest text we keep for one element; real values are names and ids.
const MAX_TEXT: usize = 64 * 1024;

type XmlReader<'a> = Reader<LineCounter<Box<dyn BufRead + 'a>>>;

pub(crate) fn read(
    input: Box<dyn BufRead + '_>,
    with_students: bool,
) -> Result<ImportData, ReadError> {
    let mut reader = Reader::from_reader(LineCounter::new(utf8_input(input)?));
    // `<a/>` arrives as Start + End, so every element is handled in one place.
    reader.config_mut().expand_empty_elements = true;
    let mut walker = Walker::default();
    let mut records = Records::new(with_students);
    let mut buf = Vec::new();
    loop {
        let at = reader.buffer_position();
        reader.get_mut().mark(at);
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(&reader, &walker, at, e))?;
        let line = reader.get_ref().locate(at).0;
        match event {
            Event::Start(e) => walker.start(&e, line, &mut records)?,
            Event::End(_) => walker.end(&mut records),
            Event::Text(t) => walker.text(&t.xml10_content(), line)?,
            Event::CData(c) => walker.text(&c.xml10_content(), line)?,
            Event::GeneralRef(r) => walker.text(&resolve_entity(&r, &walker, line)?, line)?,
            Event::Eof => break,
            _ => {}
        }
    }
    walker.finish(reader.get_ref().locate(reader.buffer_position()).0)?;
    Ok(records.finish())
}

fn xml_error(reader: &XmlReader<'_>, walker: &Walker, at: u64, e: quick_xml::Error) -> ReadError {
    if let quick_xml::Error::Io(io) = &e {
        return ReadError::new(walker.position(None), io_message(io));
    }
    // Some errors leave no error position; the start of the failing event is then the best.
    let (line, column) = reader.get_ref().locate(reader.error_position().max(at));
    let mut message = format!("malformed XML: {e}");
    if let quick_xml::Error::Encoding(_) = e {
        message
            .push_str(" (the file is not UTF-8 and its XML declaration names no other encoding)");
    }
    if let (IllFormed(IllFormedError::MismatchedEndTag { .. }), Some(open)) =
        (&e, walker.stack.last())
    {
        message.push_str(&format!(
            " (<{}> opened at line {} is not closed)",
            open.name, open.line
        ));
    }
    let position = Position {
        line: Some(line),
        column: Some(column.to_string()),
        path: walker.path(),
    };
    ReadError::new(position, message)
}

/// The five predefined entities and character references; a DTD's own entities are not
/// expanded (no external loading, no entity bombs).
fn resolve_entity(r: &BytesRef<'_>, walker: &Walker, line: u64) -> Result<String, ReadError> {
    let bad = || {
        ReadError::new(
            walker.position(Some(line)),
            format!("malformed XML: unknown entity &{};", &**r),
        )
    };
    if let Some(c) = r.resolve_char_ref().map_err(|_| bad())? {
        return Ok(c.to_string());
    }
    let s = match &**r {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return Err(bad()),
    };
    Ok(s.to_string())
}

/// One open element.
pub(crate) struct Frame {
    pub name: String,
    pub line: u64,
    /// 1-based index among the siblings of the same name.
    pub index: usize,
    /// How many children of each name were opened so far (for the segments' indexes).
    children: Vec<(String, usize)>,
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    text: String,
    root_done: bool,
}

impl Walker {
    fn start(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        records: &mut Records,
    ) -> Result<(), ReadError> {
        let name = e.local_name().as_ref().to_string();
        if self.stack.is_empty() {
            self.check_root(&name, line)?;
        }
        let index = self.count_child(&name);
        self.stack.push(Frame {
            name,
            line,
            index,
            children: Vec::new(),
        });
        self.text.clear();
        let attrs = attributes(e).map_err(|m| ReadError::new(self.position(Some(line)), m))?;
        records.open(&self.stack, &attrs);
        Ok(())
    }

    fn check_root(&mut self, name: &str, line: u64) -> Result<(), ReadError> {
        let at = Position {
            line: Some(line),
            ..Default::default()
        };
        if self.root_done {
            return Err(ReadError::new(
                at,
                format!("malformed XML: a second root element <{name}>"),
            ));
        }
        if name != "enterprise" {
            return Err(ReadError::new(
                at,
                format!(
                    "the root element is <{name}>, not <enterprise>: this is no Schild-NRW/IMS Enterprise file"
                ),
            ));
        }
        self.root_done = true;
        Ok(())
    }

    /// Counts the new child in its parent; returns its index among same-named siblings.
    fn count_child(&mut self, name: &str) -> usize {
        let Some(parent) = self.stack.last_mut() else {
            return 1;
        };
        match parent.children.iter_mut().find(|(c, _)| c == name) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                parent.children.push((name.to_string(), 1));
                1
            }
        }
    }

    fn end(&mut self, records: &mut Records) {
        let text = std::mem::take(&mut self.text);
        records.close(&self.stack, text.trim());
        self.stack.pop();
    }

    fn text(&mut self, t: &str, line: u64) -> Result<(), ReadError> {
        if self.stack.is_empty() {
            return Ok(()); // whitespace or comments' neighbours outside the root
        }
        if self.text.len() + t.len() > MAX_TEXT {
            return Err(ReadError::new(
                self.position(Some(line)),
                format!("a text is longer than {MAX_TEXT} bytes"),
            ));
        }
        self.text.push_str(t);
        Ok(())
    }

    fn finish(&self, last_line: u64) -> Result<(), ReadError> {
        if let Some(open) = self.stack.last() {
            return Err(ReadError::new(
                Position {
                    line: Some(last_line),
                    column: None,
                    path: self.path(),
                },
                format!(
                    "malformed XML: the file ends before <{}> (opened at line {}) is closed",
                    open.name, open.line
                ),
            ));
        }
        if !self.root_done {
            return Err(ReadError::whole_file("the file contains no XML element"));
        }
        Ok(())
    }

    fn path(&self) -> Option<String> {
        (!self.stack.is_empty()).then(|| path_of(&self.stack))
    }

    fn position(&self, line: Option<u64>) -> Position {
        Position {
            line: line.or_else(|| self.stack.last().map(|f| f.line)),
            column: None,
            path: self.path(),
        }
    }
}

/// `/enterprise/person[17]/name` for the given open elements.
pub(crate) fn path_of(frames: &[Frame]) -> String {
    frames
        .iter()
        .enumerate()
        .fold(String::new(), |mut p, (depth, f)| {
            push_segment(&mut p, depth, &f.name, f.index);
            p
        })
}

/// Appends `/name`, indexed directly below the root (`person[17]`) and deeper only from the
/// second sibling of a name on (`member[2]`), which keeps paths short.
pub(crate) fn push_segment(path: &mut String, depth: usize, name: &str, index: usize) {
    path.push('/');
    path.push_str(name);
    if depth == 1 || index > 1 {
        path.push_str(&format!("[{index}]"));
    }
}

/// The attributes of a start tag by local name, unescaped.
fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed XML: {err}"))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("malformed XML: {err}"))?;
        out.push((a.key.local_name().as_ref().to_string(), value.into_owned()));
    }
    Ok(out)
}
