//! Spreadsheets (XLSX, ODS; the first worksheet) as rows, read through calamine only after
//! [`bounds`] has checked that what calamine will build is small.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::bounds;
use super::sheet::{Cell, Row};
use crate::model::ReadError;

/// The old binary Excel format (BIFF in an OLE container).
pub(crate) const XLS_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Spreadsheets are binary formats parsed by a third-party crate; a panic in it on a
/// crafted file must not take the import down, so it becomes a ReadError.
pub(crate) fn rows(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    std::panic::catch_unwind(|| rows_unguarded(bytes)).unwrap_or_else(|_| {
        Err(ReadError::whole_file(
            "the spreadsheet cannot be read: it is damaged",
        ))
    })
}

fn rows_unguarded(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    if bytes.starts_with(&XLS_MAGIC) {
        // calamine reserves the declared dimension of every XLS sheet when it opens the
        // file (up to 65,536 × 256 cells), before anything could be checked.
        return Err(ReadError::whole_file(
            "Excel 97–2003 files (.xls) are not read; save the table as .xlsx, .ods or .csv",
        ));
    }
    bounds::check_unpacked(bytes)?;
    if bounds::is_ods(bytes) {
        bounds::check_ods(bytes)?;
        return ods_rows(bytes);
    }
    xlsx_rows(bytes)
}

fn unreadable(e: impl std::fmt::Display) -> ReadError {
    ReadError::whole_file(format!(
        "the file is no CSV, XLSX or ODS table we can read ({e})"
    ))
}

fn ods_rows(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(ReadError::whole_file("the spreadsheet has no worksheet")),
        Some(r) => {
            r.map_err(|e| ReadError::whole_file(format!("the spreadsheet cannot be read: {e}")))?
        }
    };
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            line: first_row + i as u64 + 1,
            cells: cells.iter().map(cell).collect(),
        })
        .collect())
}

/// The first worksheet, cell by cell: the declared dimension and every position are
/// checked before the rows are built (only rows with cells, as wide as the used columns).
fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(ReadError::whole_file("the spreadsheet has no worksheet"));
    };
    let damaged = |e: calamine::XlsxError| {
        ReadError::whole_file(format!("the spreadsheet cannot be read: {e}"))
    };
    let mut reader = book.worksheet_cells_reader(&name).map_err(damaged)?;
    let declared = reader.dimensions();
    bounds::check_area(
        &name,
        u64::from(declared.end.0) + 1,
        u64::from(declared.end.1) + 1,
    )?;
    let mut by_row: BTreeMap<u32, Vec<(u32, Data)>> = BTreeMap::new();
    let (mut rows, mut columns, mut first_column) = (0u64, 0u64, u32::MAX);
    while let Some(c) = reader.next_cell().map_err(damaged)? {
        let (r, col) = c.get_position();
        rows = rows.max(u64::from(r) + 1);
        columns = columns.max(u64::from(col) + 1);
        bounds::check_area(&name, rows, columns)?;
        let value = Data::from(c.get_value().clone());
        if value != Data::Empty {
            first_column = first_column.min(col);
            by_row.entry(r).or_default().push((col, value));
        }
    }
    let width = usize::try_from(columns).unwrap_or(0);
    let first = usize::try_from(first_column).unwrap_or(usize::MAX);
    Ok(by_row
        .into_iter()
        .map(|(r, cells)| {
            let mut dense: Vec<Cell> = (first..width).map(|_| Cell::Text(String::new())).collect();
            for (col, value) in cells {
                if let Some(slot) = usize::try_from(col)
                    .ok()
                    .and_then(|c| c.checked_sub(first))
                    .and_then(|c| dense.get_mut(c))
                {
                    *slot = cell(&value);
                }
            }
            Row {
                line: u64::from(r) + 1,
                cells: dense,
            }
        })
        .collect())
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::String(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Text(i.to_string()),
        // Ids typed into Excel become floats: 3524.0 must read as "3524".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cell::Text(format!("{f:.0}")),
        Data::Float(f) => Cell::Text(f.to_string()),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => Cell::Date(dt.date()),
            None => Cell::Text(d.to_string()),
        },
        Data::DateTimeIso(s) => match crate::text::parse_iso_date(s) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::Error(_) | Data::Empty => Cell::Text(String::new()),
    }
}
