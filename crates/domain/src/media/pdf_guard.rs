//! Whether a PDF may go to the PDF parser at all. lopdf parses arrays and dictionaries
//! recursively without a depth limit: a PDF whose trailer holds a few thousand nested `[`
//! overflows the stack of the indexing thread and aborts the whole process (any login may
//! upload one). Nesting is counted here without recursion, in the file and in the streams
//! it could parse objects from (object streams are usually deflated); what cannot be
//! checked is not parsed (the file keeps its name and metadata in the index, no text).

use std::io::Read;

/// Object syntax (the file outside streams, object streams): deeper than any real PDF.
const MAX_OBJECT_DEPTH: usize = 64;
/// Other streams (page contents): far deeper than real ones.
const MAX_STREAM_DEPTH: usize = 256;
/// Streams marked as fonts or images, whose bytes count as brackets at random: still far
/// below what the parser's thread survives should one be used as page content anyway
/// (see `extract::PDF_STACK`).
const MAX_BINARY_DEPTH: usize = 1_000;
/// Dictionary entries of binary streams (images, font programs, xref streams, XML).
const BINARY_MARKS: &[&[u8]] = &[
    b"/Image",
    b"/Length1",
    b"/Length2",
    b"/Length3",
    b"/FontFile",
    b"/Type1C",
    b"/CIDFontType0C",
    b"/OpenType",
    b"/XRef",
    b"/Metadata",
    b"/ICCBased",
    b"/N ",
];
/// The most all deflated streams of one file may unpack to for the check.
const MAX_UNPACKED: u64 = 64 << 20;
/// The most streams a file may have for the check (each costs a look at its dictionary).
const MAX_STREAMS: usize = 50_000;
/// Filters of image data, from which lopdf never parses objects.
const IMAGE_FILTERS: &[&[u8]] = &[
    b"/DCTDecode",
    b"/JPXDecode",
    b"/CCITTFaxDecode",
    b"/JBIG2Decode",
];

/// Whether `pdf` nests shallowly enough everywhere lopdf or pdf-extract would parse it.
pub fn parse_is_safe(pdf: &[u8]) -> bool {
    let mut budget = MAX_UNPACKED;
    let mut depth = Depth::default();
    let mut rest = pdf;
    let mut streams = 0;
    while let Some(at) = find(rest, b"stream") {
        let (before, after) = rest.split_at(at);
        if !depth.scan(before, MAX_OBJECT_DEPTH) {
            return false;
        }
        let is_keyword = !before.ends_with(b"end") && matches!(after.get(6), Some(b'\r' | b'\n'));
        if !is_keyword {
            rest = &after[6..];
            continue;
        }
        streams += 1;
        if streams > MAX_STREAMS {
            return false;
        }
        // The data starts after the end of line that follows the keyword.
        let data = after[6..].strip_prefix(b"\r").unwrap_or(&after[6..]);
        let data = data.strip_prefix(b"\n").unwrap_or(data);
        let end = find(data, b"endstream").unwrap_or(data.len());
        if !stream_is_safe(dictionary_before(before), &data[..end], &mut budget) {
            return false;
        }
        rest = &data[end..];
        depth = Depth::default();
    }
    depth.scan(rest, MAX_OBJECT_DEPTH)
}

/// The stream's dictionary: the text from the `obj` keyword that opens it (or the last
/// 1 KiB when there is none that close).
fn dictionary_before(before: &[u8]) -> &[u8] {
    let window = &before[before.len().saturating_sub(2048)..];
    match rfind(window, b"obj") {
        Some(at) => &window[at..],
        None => &window[window.len().saturating_sub(1024)..],
    }
}

/// The filter names of a stream dictionary (`/Filter /A` or `/Filter [/A /B]`).
fn filters(dict: &[u8]) -> Option<Vec<&[u8]>> {
    let at = find(dict, b"/Filter")?;
    let rest = dict[at + 7..].trim_ascii_start();
    let (array, mut rest) = match rest.strip_prefix(b"[") {
        Some(inner) => (true, inner.trim_ascii_start()),
        None => (false, rest),
    };
    let mut names = Vec::new();
    while let Some(name) = rest.strip_prefix(b"/") {
        let len = name
            .iter()
            .position(|b| b.is_ascii_whitespace() || b"/[]<>()".contains(b))
            .unwrap_or(name.len());
        names.push(&rest[..len + 1]);
        if !array {
            break;
        }
        rest = name[len..].trim_ascii_start();
    }
    Some(names)
}

fn stream_is_safe(dict: &[u8], data: &[u8], budget: &mut u64) -> bool {
    // lopdf parses objects out of object streams; an escaped name (`/Obj#53tm`,
    // `/Fil#74er`) could hide that or the filter, so such a stream counts as one.
    let objects = find(dict, b"ObjStm").is_some() || dict.contains(&b'#');
    let binary = BINARY_MARKS.iter().any(|m| find(dict, m).is_some());
    let limit = match (objects, binary) {
        (true, _) => MAX_OBJECT_DEPTH,
        (false, true) => MAX_BINARY_DEPTH,
        (false, false) => MAX_STREAM_DEPTH,
    };
    let filters = filters(dict).unwrap_or_default();
    if filters.iter().any(|f| IMAGE_FILTERS.contains(f)) {
        return !objects;
    }
    if filters.is_empty() {
        return Depth::default().scan(data, limit);
    }
    // Other filters (LZW, ASCII85, …) could hide nesting from this check.
    if !filters
        .iter()
        .all(|f| *f == b"/FlateDecode" || *f == b"/Fl")
    {
        return false;
    }
    let mut unpacked = Vec::new();
    let left = *budget;
    // What inflated before an error is checked too: a parser may use a damaged stream's
    // beginning (read_to_end keeps the bytes read before the error).
    let _ = flate2::read::ZlibDecoder::new(data)
        .take(left + 1)
        .read_to_end(&mut unpacked);
    let n = unpacked.len() as u64;
    if n > left {
        return false;
    }
    *budget -= n;
    Depth::default().scan(&unpacked, limit)
}

/// Open arrays and dictionaries, counted over consecutive pieces.
#[derive(Default)]
struct Depth {
    open: usize,
}

impl Depth {
    /// Counts `[`/`<<` against `]`/`>>`; false once deeper than `max`.
    fn scan(&mut self, bytes: &[u8], max: usize) -> bool {
        let mut i = 0;
        while i < bytes.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'[', _) => self.open += 1,
                (b'<', Some(b'<')) => {
                    self.open += 1;
                    i += 1;
                }
                (b']', _) => self.open = self.open.saturating_sub(1),
                (b'>', Some(b'>')) => {
                    self.open = self.open.saturating_sub(1);
                    i += 1;
                }
                _ => {}
            }
            if self.open > max {
                return false;
            }
            i += 1;
        }
        true
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(bytes).expect("deflate");
        z.finish().expect("deflate")
    }

    #[test]
    fn deep_nesting_is_found_in_the_file_and_in_deflated_streams() {
        let deep = format!("{}{}", "[".repeat(1_000), "]".repeat(1_000));
        let plain = format!("%PDF-1.4\ntrailer\n<< /Root 1 0 R /X {deep} >>\n%%EOF");
        assert!(!parse_is_safe(plain.as_bytes()));
        let mut hidden =
            b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n".to_vec();
        hidden.extend(deflate(deep.as_bytes()));
        hidden.extend(b"\nendstream\nendobj\n%%EOF");
        assert!(!parse_is_safe(&hidden));
        let escaped = b"%PDF-1.5\n1 0 obj\n<< /Type /Obj#53tm /Filter /LZWDecode >>\nstream\nxx\nendstream\nendobj";
        assert!(!parse_is_safe(escaped));
    }

    #[test]
    fn page_contents_may_nest_more_than_objects_but_not_without_end() {
        let stream = |depth: usize| {
            let content = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let mut pdf = b"%PDF-1.4\n3 0 obj\n<< /Filter /FlateDecode >>\nstream\n".to_vec();
            pdf.extend(deflate(content.as_bytes()));
            pdf.extend(b"\nendstream\nendobj\n%%EOF");
            pdf
        };
        assert!(parse_is_safe(&stream(200)));
        assert!(!parse_is_safe(&stream(5_000)));
    }

    #[test]
    fn ordinary_files_pass() {
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n3 0 obj\n<< /Length 9 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend(deflate(b"BT /F1 12 Tf [(Hallo) -20 (Welt)] TJ ET"));
        pdf.extend(b"\nendstream\nendobj\n4 0 obj\n<< /Filter /DCTDecode >>\nstream\n[[[[[[\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /ID [<ab><cd>] >>\n%%EOF");
        assert!(parse_is_safe(&pdf));
    }
}
