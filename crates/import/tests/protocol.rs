//! The import protocol: CSV for Excel, AES-encrypted ZIP, and reading it back.

mod common;

use schulhof_import::protocol::{ProtocolRow, encrypted_zip, read_encrypted_zip, write_csv};
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;

fn rows() -> Vec<ProtocolRow> {
    vec![
        ProtocolRow {
            quell_id: "ID-199999-2041".into(),
            login: "lea.yilmaz".into(),
            mail: "lea.yilmaz@199999.nrw.schule".into(),
            initial_password: Some("Kx7;mP\"q2".into()),
            last_name: "Yilmaz".into(),
            first_name: "Lea".into(),
            account_type: "schueler".into(),
            class: "05A".into(),
            status: "created".into(),
            message: String::new(),
        },
        ProtocolRow {
            quell_id: "ID-199999-L0007".into(),
            login: "juergen.gross".into(),
            mail: "juergen.gross@199999.nrw.schule".into(),
            initial_password: None,
            last_name: "Groß".into(),
            first_name: "Jürgen".into(),
            account_type: "lehrer".into(),
            class: String::new(),
            status: "unchanged".into(),
            message: "name changed; login kept".into(),
        },
    ]
}

#[test]
fn writes_excel_friendly_csv() {
    let mut out = Vec::new();
    write_csv(&rows(), &mut out).expect("writes");
    let text = String::from_utf8(out).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 BOM for Excel");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "quell_id;login;mail;initial_password;nachname;vorname;kontotyp;klasse;status;meldung"
    );
    assert_eq!(
        lines[1],
        "ID-199999-2041;lea.yilmaz;lea.yilmaz@199999.nrw.schule;\"Kx7;mP\"\"q2\";Yilmaz;Lea;schueler;05A;created;"
    );
    assert_eq!(
        lines[2],
        "ID-199999-L0007;juergen.gross;juergen.gross@199999.nrw.schule;;Groß;Jürgen;lehrer;;unchanged;\"name changed; login kept\""
    );
}

#[test]
fn round_trips_through_an_aes_zip() {
    let mut csv = Vec::new();
    write_csv(&rows(), &mut csv).expect("writes");
    let zip = encrypted_zip(
        &[("protokoll.csv", &csv), ("liesmich.txt", b"Hallo")],
        "Sommer 2025!",
    )
    .expect("writes");
    // Compression method 99 in the first local header marks WinZip AES.
    assert_eq!(&zip[8..10], &[99, 0]);
    let files = read_encrypted_zip(&zip, "Sommer 2025!").expect("reads");
    assert_eq!(
        files,
        [
            ("protokoll.csv".to_string(), csv.clone()),
            ("liesmich.txt".to_string(), b"Hallo".to_vec())
        ]
    );

    let e = read_encrypted_zip(&zip, "sommer 2025!").expect_err("must fail");
    assert_eq!(e.message, "wrong ZIP password");
    assert!(
        encrypted_zip(&[("a", b"b")], "").is_err(),
        "no empty passwords"
    );

    // The protocol is a table our own reader understands (quell_id, nachname, vorname).
    let file = common::temp_file(&zip);
    let opts = ReadOptions {
        zip_password: Some("Sommer 2025!".into()),
        account_type: Some(AccountType::Schueler),
        ..ReadOptions::default()
    };
    let data = schulhof_import::read_file(file.path(), Format::Table, &opts).expect("reads");
    assert_eq!(data.persons[1].last_name, "Groß");
    assert_eq!(data.persons[0].class.as_deref(), Some("05A"));
}

#[test]
fn formulas_from_import_files_stay_text_in_excel() {
    let mut hostile = rows();
    hostile[0].last_name = "=1+1".into();
    hostile[0].first_name = "@SUM(A1)".into();
    hostile[1].last_name = "+cmd|' /C calc'!A0".into();
    hostile[1].first_name = "-2+3".into();
    hostile[1].message = "\u{FF1D}HYPERLINK(\"http://x\")".into();
    let mut out = Vec::new();
    write_csv(&hostile, &mut out).expect("writes");
    let text = String::from_utf8(out).expect("UTF-8");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| {
            r.expect("record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    for cell in &cells {
        let first = cell.chars().next();
        assert!(
            !matches!(first, Some('=' | '+' | '-' | '@' | '\u{FF1D}')),
            "a formula start survived: {cell:?}"
        );
    }
    assert!(cells.contains(&"'=1+1".to_owned()));
    assert!(cells.contains(&"'+cmd|' /C calc'!A0".to_owned()));
    // Ordinary values are untouched.
    assert!(cells.contains(&"lea.yilmaz".to_owned()));
}
