//! The table reader: CSV (`;`/`,`/tab, UTF-8 or Windows-1252) and XLSX.

mod common;

use common::{fixture, read, read_bytes, read_err};
use schulhof_import::generate::table_csv;
use schulhof_import::{ColumnMap, ConflictKind, Format, ReadOptions, table_headers};
use schulhof_types::AccountType;

fn opts(account_type: AccountType) -> ReadOptions {
    ReadOptions {
        account_type: Some(account_type),
        ..ReadOptions::default()
    }
}

#[test]
fn reads_a_semicolon_utf8_csv() {
    let data = read(
        "table_semicolon.csv",
        Format::Table,
        &opts(AccountType::Schueler),
    )
    .expect("reads");
    let conflicts: Vec<_> = data
        .conflicts
        .iter()
        .map(|c| {
            (
                c.position.line,
                c.position.column.as_deref(),
                c.kind.clone(),
            )
        })
        .collect();
    assert_eq!(
        conflicts,
        [
            (
                Some(6),
                Some("Geburtsdatum"),
                ConflictKind::BadValue {
                    field: "birthday".into()
                }
            ),
            (Some(7), Some("Quell-ID"), ConflictKind::DuplicateSourceId),
            (Some(8), Some("Nachname"), ConflictKind::MissingName),
            (Some(9), Some("Quell-ID"), ConflictKind::MissingSourceId),
        ]
    );
    insta::assert_json_snapshot!("table_semicolon", data);
}

#[test]
fn reads_a_comma_windows_1252_csv_with_guessed_columns() {
    let data = read(
        "table_comma_cp1252.csv",
        Format::Table,
        &opts(AccountType::Lehrer),
    )
    .expect("reads");
    assert_eq!(data.persons[0].last_name, "Müller");
    assert_eq!(data.persons[1].first_name, "Renée");
    insta::assert_json_snapshot!("table_comma_cp1252", data);
}

#[test]
fn reads_an_xlsx() {
    let data = read("table.xlsx", Format::Table, &opts(AccountType::Schueler)).expect("reads");
    assert_eq!(data.persons[0].source_id, "3524");
    assert_eq!(data.persons[1].source_id, "3525");
    insta::assert_json_snapshot!("table_xlsx", data);
}

#[test]
fn lists_headers_for_the_mapping_step() {
    let headers = table_headers(&fixture("table_comma_cp1252.csv"), None).expect("reads");
    assert_eq!(
        headers,
        [
            "Nachname",
            "Vorname",
            "ID",
            "Klasse",
            "Kurse",
            "Mail",
            "Geburtstag"
        ]
    );
    let headers = table_headers(&fixture("table.xlsx"), None).expect("reads");
    assert_eq!(headers[0], "Quell-ID");
}

#[test]
fn uses_the_admins_column_choice() {
    let csv = "Schild-ID;Name;Rufname;Nummer\nA1;Kaya;Elif;N7\n";
    let mut o = opts(AccountType::Extern);
    o.columns = ColumnMap {
        quell_id: Some("nummer".into()),
        ..ColumnMap::default()
    };
    let data = read_bytes(csv.as_bytes(), Format::Table, &o).expect("reads");
    let p = &data.persons[0];
    assert_eq!(
        (
            p.source_id.as_str(),
            p.last_name.as_str(),
            p.first_name.as_str()
        ),
        ("N7", "Kaya", "Elif")
    );
    assert_eq!(p.account_type, AccountType::Extern);
}

#[test]
fn a_missing_mandatory_column_is_an_error_naming_it() {
    let e = read_err(
        b"Quell-ID;Nachname;Klasse\n1;Kaya;5a\n",
        Format::Table,
        &opts(AccountType::Schueler),
    );
    assert_eq!(e.position.line, Some(1));
    assert_eq!(
        e.message,
        "the table has no column for Vorname (mandatory); columns found: Quell-ID, Nachname, Klasse"
    );
}

#[test]
fn a_mapped_column_must_exist() {
    let mut o = opts(AccountType::Schueler);
    o.columns.email = Some("Mailadresse".into());
    let e = read_err(
        b"Quell-ID;Nachname;Vorname\n1;Kaya;Elif\n",
        Format::Table,
        &o,
    );
    assert!(
        e.message
            .starts_with("the column \"Mailadresse\" chosen for E-Mail is not in the table"),
        "{}",
        e.message
    );
}

#[test]
fn a_table_needs_an_account_type() {
    let e = read_err(
        b"Quell-ID;Nachname;Vorname\n1;Kaya;Elif\n",
        Format::Table,
        &ReadOptions::default(),
    );
    assert!(e.message.contains("account type"), "{}", e.message);
}

#[test]
fn rejects_tables_over_32_mb() {
    let big = vec![b'a'; 33 * 1024 * 1024];
    let e = read_err(&big, Format::Table, &opts(AccountType::Schueler));
    assert!(e.message.contains("larger than 32 MB"), "{}", e.message);
}

#[test]
fn generated_tables_read_cleanly_with_any_delimiter() {
    for delimiter in [b';', b',', b'\t'] {
        let csv = table_csv(60, 3, delimiter);
        let data =
            read_bytes(csv.as_bytes(), Format::Table, &opts(AccountType::Schueler)).expect("reads");
        assert_eq!(data.persons.len(), 60);
        assert!(data.conflicts.is_empty(), "{:#?}", data.conflicts);
        assert_eq!(data.persons[0].last_name, "Müller");
        assert_eq!(data.persons[0].first_name, "Anna Lena");
        assert_eq!(data.persons[0].groups.len(), 3, "class + two groups");
    }
}

#[test]
fn tolerates_ragged_and_odd_tables() {
    let csv = "\n\nQuell-ID;Nachname;Vorname\n1;Kaya\n2;Ay;Bo;extra;cells\n\"3;Quoted;\n";
    let data =
        read_bytes(csv.as_bytes(), Format::Table, &opts(AccountType::Schueler)).expect("reads");
    assert_eq!(data.persons.len(), 1);
    assert_eq!(data.persons[0].position.line, Some(5));
    assert_eq!(data.conflicts.len(), 2);
}
