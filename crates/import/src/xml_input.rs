//! What sits between the raw bytes and quick-xml: transcoding to UTF-8 when the file says it
//! is something else, and counting lines as the parser consumes bytes, so that records and
//! errors get line numbers without the file being held in memory.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::Encoding;
use quick_xml::encoding::DecodingReader;

use crate::container::io_message;
use crate::model::ReadError;

/// Enough for any XML declaration.
const HEAD: u64 = 512;

/// Returns a UTF-8 stream of the document. quick-xml only parses UTF-8, so UTF-16 (by BOM or
/// byte pattern) and a declared single-byte encoding (`ISO-8859-1`, `windows-1252`) are
/// transcoded; everything else is passed through and validated by the parser.
pub(crate) fn utf8_input<'a>(
    mut raw: Box<dyn BufRead + 'a>,
) -> Result<Box<dyn BufRead + 'a>, ReadError> {
    let mut head = Vec::with_capacity(HEAD as usize);
    (&mut raw)
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::whole_file(io_message(&e)))?;
    let target = detect(&head)?;
    let joined = BufReader::new(Cursor::new(head).chain(raw));
    Ok(match target {
        None => Box::new(joined),
        Some(encoding) => {
            let mut decoding = DecodingReader::new(joined);
            // Called before the first read, while the decoder still holds its prefix.
            if encoding.is_ascii_compatible() {
                decoding.set_encoding(encoding);
            }
            Box::new(decoding)
        }
    })
}

/// `None`: pass through as UTF-8. `Some`: transcode from that encoding.
fn detect(head: &[u8]) -> Result<Option<&'static Encoding>, ReadError> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(b"<\0?\0") {
        return Ok(Some(encoding_rs::UTF_16LE));
    }
    if head.starts_with(&[0xFE, 0xFF]) || head.starts_with(b"\0<\0?") {
        return Ok(Some(encoding_rs::UTF_16BE));
    }
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let Some(label) = declared_encoding(head) else {
        return Ok(None);
    };
    match Encoding::for_label(label) {
        None => Err(ReadError::new(
            crate::model::Position {
                line: Some(1),
                ..Default::default()
            },
            format!(
                "the XML declares the encoding \"{}\", which is unknown",
                String::from_utf8_lossy(label)
            ),
        )),
        // A declaration readable as ASCII means the bytes are ASCII-compatible whatever the
        // label says, so a stray "UTF-16" label is treated like UTF-8.
        Some(e) if e == encoding_rs::UTF_8 || !e.is_ascii_compatible() => Ok(None),
        Some(e) => Ok(Some(e)),
    }
}

/// The `encoding` pseudo-attribute of `<?xml … ?>`, if the document starts with one.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let decl = head.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = &decl[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = trim_start(&decl[at + 8..]);
    let rest = trim_start(rest.strip_prefix(b"=")?);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.iter().position(|&b| b == quote)?;
    Some(&value[..close])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Counts the newlines of the bytes the parser consumes. Only the newlines after the last
/// [`LineCounter::mark`] are kept, so memory stays constant while positions inside the current
/// event (where errors and start tags are) can still be resolved.
pub(crate) struct LineCounter<R> {
    inner: R,
    consumed: u64,
    /// Newlines before the mark.
    lines_before: u64,
    /// Offset of the first byte of the line the mark is in.
    line_start_before: u64,
    /// Offsets of the newlines consumed since the mark.
    newlines: Vec<u64>,
}

impl<R: BufRead> LineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            consumed: 0,
            lines_before: 0,
            line_start_before: 0,
            newlines: Vec::new(),
        }
    }

    /// Forgets the newlines before `offset`: positions before it are not asked for any more.
    pub(crate) fn mark(&mut self, offset: u64) {
        let k = self.newlines.partition_point(|&nl| nl < offset);
        if k > 0 {
            self.line_start_before = self.newlines[k - 1] + 1;
            self.lines_before += k as u64;
            self.newlines.drain(..k);
        }
    }

    /// 1-based line and byte column of `offset` (at or after the mark).
    pub(crate) fn locate(&self, offset: u64) -> (u64, u64) {
        let k = self.newlines.partition_point(|&nl| nl < offset);
        let line_start = match k {
            0 => self.line_start_before,
            _ => self.newlines[k - 1] + 1,
        };
        (
            self.lines_before + k as u64 + 1,
            offset.saturating_sub(line_start) + 1,
        )
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The bytes being consumed are still at the front of the inner buffer.
        if let Ok(buf) = self.inner.fill_buf() {
            let start = self.consumed;
            let taken = &buf[..amt.min(buf.len())];
            self.newlines.extend(
                taken
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| start + i as u64),
            );
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_declared_encoding() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding = 'ISO-8859-1'?><a/>"),
            Some(&b"ISO-8859-1"[..])
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?>"), None);
        assert_eq!(declared_encoding(b"<a/>"), None);
    }

    #[test]
    fn transcodes_latin1() {
        let raw = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xfcller</a>".to_vec();
        let mut out = String::new();
        utf8_input(Box::new(Cursor::new(raw)))
            .expect("reads")
            .read_to_string(&mut out)
            .expect("reads");
        assert!(out.ends_with("<a>Müller</a>"));
    }

    #[test]
    fn counts_lines() {
        let mut c = LineCounter::new(Cursor::new(b"ab\ncd\n\nef".to_vec()));
        let mut s = String::new();
        c.read_to_string(&mut s).expect("reads");
        assert_eq!(c.locate(0), (1, 1));
        assert_eq!(c.locate(4), (2, 2));
        c.mark(7);
        assert_eq!(c.locate(8), (4, 2));
    }
}
