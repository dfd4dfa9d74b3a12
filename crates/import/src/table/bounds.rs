//! Limits checked before a spreadsheet is expanded into memory. calamine builds a dense
//! rectangle from the first to the last cell: a 2 KB file with cells at `A1` and
//! `XFD1048576` asks for 17 billion cells, and a failed allocation aborts the process (no
//! panic to catch). So the declared dimension, every cell position and ODS' repeat counts are
//! checked here first, with streaming readers that hold nothing but counters.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use crate::model::ReadError;

/// The most rows a table may reach (a school has a few thousand persons).
pub(crate) const MAX_ROWS: u64 = 100_000;
/// The most columns a table may reach.
pub(crate) const MAX_COLUMNS: u64 = 1_000;
/// The most cells of the area from `A1` to the last cell used.
pub(crate) const MAX_CELLS: u64 = 1_000_000;
/// The most a spreadsheet's ZIP members may unpack to together (a ZIP bomb stops here).
pub(crate) const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Refuses an area of `rows` × `columns` (counted from `A1`) beyond the limits.
pub(crate) fn check_area(sheet: &str, rows: u64, columns: u64) -> Result<(), ReadError> {
    if rows <= MAX_ROWS && columns <= MAX_COLUMNS && rows.saturating_mul(columns) <= MAX_CELLS {
        return Ok(());
    }
    Err(ReadError::whole_file(format!(
        "the sheet \"{sheet}\" reaches {rows} rows × {columns} columns; a table may have at \
         most {MAX_ROWS} rows, {MAX_COLUMNS} columns and {MAX_CELLS} cells (from A1 to its \
         last cell)"
    )))
}

/// The declared unpacked sizes of all members of a spreadsheet's ZIP container.
pub(crate) fn check_unpacked(bytes: &[u8]) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::whole_file(format!("the spreadsheet cannot be read: {e}")))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let size = zip
            .by_index_raw(i)
            .map_err(|e| ReadError::whole_file(format!("the spreadsheet cannot be read: {e}")))?
            .size();
        total = total.saturating_add(size);
    }
    if total > MAX_UNPACKED {
        return Err(ReadError::whole_file(format!(
            "the spreadsheet unpacks to more than {} MB",
            MAX_UNPACKED / 1024 / 1024
        )));
    }
    Ok(())
}

/// Whether the ZIP holds an OpenDocument spreadsheet (else it is taken for XLSX).
pub(crate) fn is_ods(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|z| z.index_for_name("content.xml").is_some())
}

/// Checks every table of an ODS' `content.xml` (calamine reads them all when it opens
/// the file): the area up to the last non-empty cell, with the repeat attributes applied
/// as counts, never expanded.
pub(crate) fn check_ods(bytes: &[u8]) -> Result<(), ReadError> {
    let damaged = |e: &dyn std::fmt::Display| {
        ReadError::whole_file(format!("the spreadsheet cannot be read: {e}"))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    let content = zip.by_name("content.xml").map_err(|e| damaged(&e))?;
    let mut reader =
        quick_xml::Reader::from_reader(std::io::BufReader::new(content.take(MAX_UNPACKED)));
    let mut buf = Vec::new();
    let mut table = OdsTable::default();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                table = OdsTable::new(&e);
            }
            Event::End(e) if e.name().as_ref() == "table:table" => table.finish()?,
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                table.start_row(repeats(&e, "table:number-rows-repeated"));
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => table.end_row()?,
            Event::Start(e) | Event::Empty(e) if is_cell(&e) => {
                table.cell(repeats(&e, "table:number-columns-repeated"), has_value(&e));
            }
            Event::Start(e) if e.name().as_ref() == "text:p" => table.mark_content(),
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

fn is_cell(e: &BytesStart<'_>) -> bool {
    matches!(
        e.name().as_ref(),
        "table:table-cell" | "table:covered-table-cell"
    )
}

/// A repeat attribute; an unreadable one counts as the largest possible, so it is refused
/// if it matters (calamine would refuse it too).
fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => a.value.trim().parse().unwrap_or(u64::MAX),
        _ => 1,
    }
}

/// A cell with a typed value or a formula is not empty even without text.
fn has_value(e: &BytesStart<'_>) -> bool {
    ["office:value-type", "table:formula"]
        .iter()
        .any(|n| matches!(e.try_get_attribute(n), Ok(Some(_))))
}

/// Counters of one ODS table: where the last non-empty cell lies.
#[derive(Default)]
struct OdsTable {
    name: String,
    rows: u64,
    used_rows: u64,
    used_columns: u64,
    row_repeat: u64,
    column: u64,
    row_used_to: u64,
    /// The last cell started has content (it may be repeated).
    pending: Option<u64>,
}

impl OdsTable {
    fn new(e: &BytesStart<'_>) -> Self {
        let name = match e.try_get_attribute("table:name") {
            Ok(Some(a)) => a.value.into_owned(),
            _ => String::new(),
        };
        Self {
            name,
            ..Self::default()
        }
    }

    fn start_row(&mut self, repeat: u64) {
        self.row_repeat = repeat;
        self.column = 0;
        self.row_used_to = 0;
        self.pending = None;
    }

    fn cell(&mut self, repeat: u64, has_value: bool) {
        self.settle();
        self.column = self.column.saturating_add(repeat);
        self.pending = Some(self.column);
        if has_value {
            self.mark_content();
        }
    }

    /// The cell just started has content: the row is used up to its last repetition.
    fn mark_content(&mut self) {
        if let Some(end) = self.pending {
            self.row_used_to = self.row_used_to.max(end);
        }
    }

    fn settle(&mut self) {
        self.pending = None;
    }

    fn end_row(&mut self) -> Result<(), ReadError> {
        self.settle();
        self.rows = self.rows.saturating_add(self.row_repeat);
        if self.row_used_to > 0 {
            self.used_rows = self.rows;
            self.used_columns = self.used_columns.max(self.row_used_to);
        }
        check_area(&self.name, self.used_rows, self.used_columns)
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        check_area(&self.name, self.used_rows, self.used_columns)
    }
}
