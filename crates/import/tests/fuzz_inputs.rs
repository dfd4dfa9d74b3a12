//! Property tests for every reader of outside bytes (Schild XML, in a ZIP or not; SVWS JSON;
//! CSV, XLSX and ODS tables): real fixtures mutated, crafted files with huge declared
//! dimensions and repeat counts, deep nesting and random bytes. Whatever comes in, the
//! reader answers with data or a clean `ReadError`: no panic, no runaway allocation (a
//! failed allocation would abort this test process). 256 cases per property by default;
//! `PROPTEST_CASES=5000` runs more by hand.

mod common;

use std::io::{Cursor, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::books::{ods, ods_row, xlsx};
use common::{fixture, read_bytes};
use proptest::prelude::*;
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;
use zip::write::SimpleFileOptions;

fn opts() -> ReadOptions {
    ReadOptions {
        account_type: Some(AccountType::Schueler),
        zip_password: Some("pw".into()),
        ..ReadOptions::default()
    }
}

fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

/// Reads `bytes` and fails the property on a panic (a clean error is fine).
fn survives(bytes: &[u8], format: Format) -> Result<(), TestCaseError> {
    let result = catch_unwind(AssertUnwindSafe(|| read_bytes(bytes, format, &opts())));
    prop_assert!(result.is_ok(), "the reader panicked");
    Ok(())
}

fn load(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

/// A fixture with bytes overwritten, a piece cut out, or something spliced in.
fn mutated(original: Vec<u8>, splice: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let len = original.len();
    (
        prop::collection::vec((0..len, any::<u8>()), 0..10),
        prop::option::of((0..len, 0..len)),
        prop::option::of((0..len, 0usize..2_000)),
    )
        .prop_map(move |(edits, cut, insert)| {
            let mut b = original.clone();
            let n = b.len();
            for (at, byte) in edits {
                b[at % n] = byte;
            }
            if let Some((from, to)) = cut {
                let (from, to) = (from.min(to), from.max(to).min(b.len()));
                b.drain(from.min(b.len())..to);
            }
            if let Some((at, times)) = insert {
                let piece = splice.repeat(times);
                let at = at.min(b.len());
                b.splice(at..at, piece);
            }
            b
        })
}

fn zipped(name: &str, content: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, SimpleFileOptions::default())
        .expect("member");
    zip.write_all(content).expect("write");
    zip.finish().expect("zip").into_inner()
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn schild_xml(bytes in mutated(load("schild_example.xml"), b"<group><x>")) {
        survives(&bytes, Format::Schild)?;
    }

    #[test]
    fn schild_zip(xml in mutated(load("ims_plain.xml"), b"<a>"), edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6)) {
        let mut bytes = zipped("export.xml", &xml);
        let len = bytes.len();
        for (at, byte) in edits {
            bytes[at % len] = byte;
        }
        survives(&bytes, Format::Schild)?;
    }

    #[test]
    fn svws_json(bytes in mutated(load("svws_export.json"), b"[{\"a\":")) {
        survives(&bytes, Format::Svws)?;
    }

    #[test]
    fn csv_tables(bytes in mutated(load("table_semicolon.csv"), b"\";;\r\n")) {
        survives(&bytes, Format::Table)?;
    }

    #[test]
    fn xlsx_bytes(bytes in mutated(load("table.xlsx"), b"PK\x03\x04")) {
        survives(&bytes, Format::Table)?;
    }

    /// Crafted XLSX: any declared dimension and cells anywhere up to `XFD1048576`.
    #[test]
    fn xlsx_dimensions(
        dimension in (1u32..=16_384, 1u32..=1_048_576),
        cells in prop::collection::vec((1u32..=16_384, 1u32..=1_048_576), 0..4),
    ) {
        let reference = |(col, row): (u32, u32)| format!("{}{row}", column_name(col));
        let dimension = format!("A1:{}", reference(dimension));
        let refs: Vec<String> = cells.into_iter().map(reference).collect();
        let mut all = vec![("A1", "Quell-ID"), ("B1", "Nachname"), ("C1", "Vorname")];
        all.extend(refs.iter().map(|r| (r.as_str(), "x")));
        survives(&xlsx(&dimension, &all), Format::Table)?;
    }

    /// Crafted ODS: any repeat counts, including ones that are no number.
    #[test]
    fn ods_repeats(rows in prop::collection::vec((prop::collection::vec((any::<bool>(), 0u64..=20_000), 1..4), 0u64..=1_100_000), 1..4)) {
        let rows: String = rows
            .iter()
            .map(|(cells, repeat)| {
                let cells: Vec<(&str, u64)> = cells
                    .iter()
                    .map(|(full, n)| (if *full { "x" } else { "" }, *n))
                    .collect();
                ods_row(&cells, *repeat)
            })
            .collect();
        survives(&ods(&rows), Format::Table)?;
        let nonsense = rows.replace("repeated=\"1", "repeated=\"-1");
        survives(&ods(&nonsense), Format::Table)?;
    }

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096), format in prop::sample::select(vec![Format::Schild, Format::Svws, Format::Table])) {
        survives(&bytes, format)?;
    }
}

/// `1` → `A`, `16384` → `XFD`.
fn column_name(mut n: u32) -> String {
    let mut name = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        name.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

#[test]
fn column_names() {
    assert_eq!(column_name(1), "A");
    assert_eq!(column_name(26), "Z");
    assert_eq!(column_name(27), "AA");
    assert_eq!(column_name(16_384), "XFD");
}
