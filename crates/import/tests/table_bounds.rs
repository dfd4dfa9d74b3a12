//! Spreadsheets that declare or use a huge area are refused before anything is built: a
//! table reaching `XFD1048576` used to make the reader allocate 17 billion cells and abort
//! the process.

mod common;

use std::time::Instant;

use common::books::{ods, ods_row, xlsx};
use common::{read_bytes, read_err};
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;

fn opts() -> ReadOptions {
    ReadOptions {
        account_type: Some(AccountType::Schueler),
        ..ReadOptions::default()
    }
}

const HEADER: [(&str, &str); 3] = [("A1", "Quell-ID"), ("B1", "Nachname"), ("C1", "Vorname")];

#[test]
fn a_small_xlsx_written_here_reads() {
    let mut cells = HEADER.to_vec();
    cells.extend([("A2", "7"), ("B2", "Muster"), ("C2", "Max")]);
    let data = read_bytes(&xlsx("A1:C2", &cells), Format::Table, &opts()).expect("reads");
    assert_eq!(data.persons.len(), 1);
    assert_eq!(data.persons[0].last_name, "Muster");
}

#[test]
fn xlsx_with_a_cell_at_the_far_corner_is_refused() {
    let started = Instant::now();
    let mut cells = HEADER.to_vec();
    cells.push(("XFD1048576", "x"));
    // Once with an honest dimension, once with a small one that lies about the cells.
    for dimension in ["A1:XFD1048576", "A1:C1"] {
        let e = read_err(&xlsx(dimension, &cells), Format::Table, &opts());
        assert!(e.message.contains("\"Schüler\""), "{}", e.message);
        assert!(e.message.contains("at most 100000 rows"), "{}", e.message);
    }
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn xlsx_declaring_a_huge_dimension_is_refused() {
    let e = read_err(&xlsx("A1:ZZ900000", &HEADER), Format::Table, &opts());
    assert!(e.message.contains("at most"), "{}", e.message);
}

#[test]
fn ods_repeats_are_counted_not_expanded() {
    let bombs = [
        // A non-empty cell repeated over all columns of a million rows.
        ods_row(&[("x", 16_384)], 1_048_576),
        // Sensible width, far too many rows.
        ods_row(&[("a", 3)], 200_000),
        // Few rows, far too many columns.
        ods_row(&[("a", 1), ("", 5_000), ("b", 1)], 1),
    ];
    for rows in bombs {
        let started = Instant::now();
        let e = read_err(&ods(&rows), Format::Table, &opts());
        assert!(e.message.contains("\"Schüler\""), "{}", e.message);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}

#[test]
fn ods_trailing_empty_repeats_as_libreoffice_writes_them_read() {
    let rows = format!(
        "{}{}{}",
        ods_row(&[("Quell-ID", 1), ("Nachname", 1), ("Vorname", 1)], 1),
        ods_row(&[("7", 1), ("Muster", 1), ("Max", 1)], 1),
        // LibreOffice ends a table with the rest of the sheet as empty repeats.
        r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
    );
    let data = read_bytes(&ods(&rows), Format::Table, &opts()).expect("reads");
    assert_eq!(data.persons.len(), 1);
}

#[test]
fn csv_limits_name_the_line() {
    let wide = format!("Quell-ID;Nachname;Vorname\n1;a;b{}\n", ";".repeat(2_000));
    let e = read_err(wide.as_bytes(), Format::Table, &opts());
    assert_eq!(e.position.line, Some(2), "{}", e.message);
    let long = format!("Quell-ID;Nachname;Vorname\n1;{};b\n", "x".repeat(100_000));
    let e = read_err(long.as_bytes(), Format::Table, &opts());
    assert!(e.message.contains("longer than"), "{}", e.message);
}

#[test]
fn old_excel_files_are_refused_clearly() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    let e = read_err(&bytes, Format::Table, &opts());
    assert!(e.message.contains(".xls"), "{}", e.message);
}
