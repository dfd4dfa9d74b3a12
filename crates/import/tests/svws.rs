//! The SVWS "Lernplattform V1" JSON reader.

mod common;

use common::{read, read_bytes, read_err};
use schulhof_import::{ConflictKind, Format, ReadOptions};

#[test]
fn reads_an_export() {
    let data = read("svws_export.json", Format::Svws, &ReadOptions::default()).expect("reads");
    assert_eq!(data.school_number.as_deref(), Some("199999"));
    assert_eq!(data.school_year.as_deref(), Some("2025/26"));
    let keys: Vec<&str> = data.groups.iter().map(|g| g.source_id.as_str()).collect();
    assert_eq!(keys, ["K100", "K101", "KF100-1", "C812"]);
    insta::assert_json_snapshot!("svws_export", data);
}

#[test]
fn without_students_keeps_teachers_only() {
    let opts = ReadOptions {
        with_students: false,
        ..ReadOptions::default()
    };
    let data = read("svws_export.json", Format::Svws, &opts).expect("reads");
    assert_eq!(data.persons.len(), 2);
    assert!(data.persons.iter().all(|p| p.source_id.starts_with('L')));
    // Only the teacher-side problems remain: the nameless teacher and the unknown class teacher.
    let kinds: Vec<_> = data.conflicts.iter().map(|c| c.kind.clone()).collect();
    assert_eq!(
        kinds,
        [ConflictKind::MissingName, ConflictKind::UnknownReference]
    );
}

#[test]
fn school_year_forms() {
    for (raw, want) in [
        ("2025", "2025/26"),
        ("\"2024/25\"", "2024/25"),
        ("\"2024/2025\"", "2024/25"),
    ] {
        let json = format!("{{\"schuljahr\": {raw}, \"schulnummer\": \"123456\", \"lehrer\": []}}");
        let data =
            read_bytes(json.as_bytes(), Format::Svws, &ReadOptions::default()).expect("reads");
        assert_eq!(data.school_year.as_deref(), Some(want));
        assert_eq!(data.school_number.as_deref(), Some("123456"));
    }
}

#[test]
fn bad_json_names_line_and_column() {
    let e = read_err(
        b"{\n  \"lehrer\": [\n    {\"id\": 1,}\n  ]\n}",
        Format::Svws,
        &ReadOptions::default(),
    );
    assert_eq!(e.position.line, Some(3));
    assert_eq!(e.position.column.as_deref(), Some("14"));
    assert!(
        e.message
            .starts_with("the JSON is not a valid SVWS Lernplattform export"),
        "{}",
        e.message
    );
    let e = read_err(b"{\"lehrer\": [", Format::Svws, &ReadOptions::default());
    assert!(
        e.message.starts_with("the JSON is truncated"),
        "{}",
        e.message
    );
    let e = read_err(
        b"{\"lehrer\": [{\"nachname\": \"X\"}]}",
        Format::Svws,
        &ReadOptions::default(),
    );
    assert!(e.message.contains("missing field `id`"), "{}", e.message);
}

#[test]
fn other_json_is_rejected() {
    let e = read_err(b"{\"users\": []}", Format::Svws, &ReadOptions::default());
    assert!(
        e.message.contains("no SVWS Lernplattform export"),
        "{}",
        e.message
    );
}
