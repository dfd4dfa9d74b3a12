//! Loading a table into rows of cells: CSV (delimiter and encoding detected) or a
//! spreadsheet (XLSX, ODS; the first worksheet, see [`super::book`]).

use std::borrow::Cow;

use chrono::NaiveDate;
use encoding_rs::{Encoding, WINDOWS_1252};

use super::bounds::{MAX_COLUMNS, MAX_ROWS};
use crate::model::{Position, ReadError};

/// The longest text a CSV field may hold (a name or a list of groups is far shorter).
const MAX_FIELD: usize = 64 * 1024;

pub(crate) enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    /// The cell as trimmed text; a date as `YYYY-MM-DD`.
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s.trim()),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Cell::Text(s) if s.trim().is_empty())
    }
}

pub(crate) struct Row {
    /// Physical line (CSV) or row number (spreadsheet), 1-based.
    pub line: u64,
    pub cells: Vec<Cell>,
}

pub(crate) struct Sheet {
    pub headers: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<Row>,
    /// Whether `,` may separate groups in a cell: not when `,` separates the columns.
    pub comma_lists: bool,
}

pub(crate) fn load(bytes: &[u8]) -> Result<Sheet, ReadError> {
    let is_spreadsheet =
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&super::book::XLS_MAGIC);
    let (rows, comma_lists) = if is_spreadsheet {
        (super::book::rows(bytes)?, true)
    } else {
        let text = decode(bytes);
        let delimiter = detect_delimiter(&text);
        (csv_rows(&text, delimiter)?, delimiter != b',')
    };
    let mut rows = rows
        .into_iter()
        .filter(|r| !r.cells.iter().all(Cell::is_empty));
    let Some(header) = rows.next() else {
        return Err(ReadError::whole_file("the table has no rows"));
    };
    Ok(Sheet {
        headers: header.cells.iter().map(|c| c.text().into_owned()).collect(),
        header_line: header.line,
        rows: rows.collect(),
        comma_lists,
    })
}

/// UTF-8 (BOM optional), UTF-16 with BOM, or else Windows-1252: what Excel writes on a
/// German Windows when "CSV (Trennzeichen-getrennt)" is chosen.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The most frequent of `;`, `,` and tab in the first non-empty line, outside quotes;
/// `;` on a tie, as German Excel uses it.
fn detect_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .fold(
            (b';', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

fn csv_rows(text: &str, delimiter: u8) -> Result<Vec<Row>, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut lines = LineTracker::new(text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            let position = Position {
                line,
                ..Default::default()
            };
            ReadError::new(position, format!("the CSV cannot be read: {e}"))
        })?;
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        check_record(&record, line, rows.len())?;
        rows.push(Row {
            line,
            cells: record.iter().map(|s| Cell::Text(s.to_string())).collect(),
        });
    }
    Ok(rows)
}

/// A CSV is held in memory already; these limits keep what is built from it (and what
/// the later steps loop over) in proportion to a school's table.
fn check_record(record: &csv::StringRecord, line: u64, before: usize) -> Result<(), ReadError> {
    let position = Position {
        line: Some(line),
        ..Default::default()
    };
    if before as u64 >= MAX_ROWS {
        return Err(ReadError::new(
            position,
            format!("the table has more than {MAX_ROWS} rows"),
        ));
    }
    if record.len() as u64 > MAX_COLUMNS {
        return Err(ReadError::new(
            position,
            format!("the line has more than {MAX_COLUMNS} fields"),
        ));
    }
    if record.iter().any(|f| f.len() > MAX_FIELD) {
        return Err(ReadError::new(
            position,
            format!("a field is longer than {} KB", MAX_FIELD / 1024),
        ));
    }
    Ok(())
}

/// Physical line numbers of records. The csv crate's own `line()` undercounts with CRLF
/// endings (its record start points at the `\n` of the previous `\r\n`), so lines are counted
/// here from the byte offsets, moving forward only.
struct LineTracker<'a> {
    bytes: &'a [u8],
    scanned: usize,
    line: u64,
}

impl<'a> LineTracker<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            scanned: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .clamp(self.scanned, self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += self.bytes[self.scanned..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.scanned = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter("a;b;c\n1,2;3"), b';');
        assert_eq!(detect_delimiter("\n\"x;y\",b,c"), b',');
        assert_eq!(detect_delimiter("a\tb"), b'\t');
        assert_eq!(detect_delimiter("single"), b';');
    }

    #[test]
    fn counts_physical_lines_with_any_line_ending() {
        for text in ["h\r\na\r\n\r\n\"b\r\nb\"\r\nc\r\n", "h\na\n\n\"b\nb\"\nc\n"] {
            let lines: Vec<u64> = csv_rows(text, b';')
                .expect("reads")
                .iter()
                .map(|r| r.line)
                .collect();
            assert_eq!(lines, [1, 2, 4, 6], "{text:?}");
        }
    }

    #[test]
    fn decodes_windows_1252() {
        assert_eq!(decode(b"M\xfcller"), "Müller");
        assert_eq!(decode("Müller".as_bytes()), "Müller");
        assert_eq!(decode(b"\xef\xbb\xbfA"), "A");
    }
}
