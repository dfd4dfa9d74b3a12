//! The Schild-NRW / IMS Enterprise XML reader.

mod common;

use common::{read, read_bytes, read_err};
use schulhof_import::{ConflictKind, Format, ReadOptions};
use schulhof_types::AccountType;

fn opts() -> ReadOptions {
    ReadOptions::default()
}

#[test]
fn reads_the_spec_example() {
    let data = read("schild_example.xml", Format::Schild, &opts()).expect("reads");
    assert_eq!(data.school_number.as_deref(), Some("199999"));
    assert_eq!(data.school_year.as_deref(), Some("2025/26"));
    assert!(data.conflicts.is_empty(), "{:#?}", data.conflicts);
    insta::assert_json_snapshot!("schild_example", data);
}

#[test]
fn reads_plain_ims_without_namespace() {
    let data = read("ims_plain.xml", Format::Schild, &opts()).expect("reads");
    insta::assert_json_snapshot!("ims_plain", data);
}

#[test]
fn reports_record_conflicts() {
    let data = read("schild_conflicts.xml", Format::Schild, &opts()).expect("reads");
    let found: Vec<(u64, &str)> = data
        .conflicts
        .iter()
        .map(|c| (c.position.line.expect("has a line"), kind(&c.kind)))
        .collect();
    assert_eq!(
        found,
        [
            (8, "duplicate"),
            (13, "account_type"),
            (18, "name"),
            (23, "source_id"),
            (31, "bad_value"),
            (39, "duplicate"),
            (53, "reference"),
            (59, "reference"),
        ]
    );
    let unknown = &data.conflicts[1];
    assert_eq!(
        unknown.kind,
        ConflictKind::UnknownAccountType {
            value: "Parent".into()
        }
    );
    assert_eq!(
        unknown.position.path.as_deref(),
        Some("/enterprise/person[3]")
    );
    assert_eq!(unknown.source_id.as_deref(), Some("ID-2"));
    insta::assert_json_snapshot!("schild_conflicts", data);
}

fn kind(k: &ConflictKind) -> &'static str {
    match k {
        ConflictKind::MissingName => "name",
        ConflictKind::MissingSourceId => "source_id",
        ConflictKind::DuplicateSourceId => "duplicate",
        ConflictKind::UnknownAccountType { .. } => "account_type",
        ConflictKind::OtherAccountType { .. } => "other_account_type",
        ConflictKind::UnknownReference => "reference",
        ConflictKind::BadValue { .. } => "bad_value",
    }
}

#[test]
fn without_students_drops_pupils_and_their_memberships_silently() {
    let opts = ReadOptions {
        with_students: false,
        ..opts()
    };
    let data = read("schild_example.xml", Format::Schild, &opts).expect("reads");
    assert!(data.conflicts.is_empty(), "{:#?}", data.conflicts);
    assert_eq!(data.persons.len(), 1);
    let teacher = &data.persons[0];
    assert_eq!(teacher.account_type, AccountType::Lehrer);
    assert_eq!(teacher.groups, ["K-199999-05A-L"]);
    assert_eq!(
        data.groups.len(),
        4,
        "groups stay: the admin may still want them"
    );
}

#[test]
fn malformed_xml_names_line_column_and_path() {
    let xml = "<?xml version=\"1.0\"?>\n<enterprise>\n  <person>\n    <sourcedid><id>X</id></sourcedid>\n    <name><fn>A B</name>\n  </person>\n</enterprise>\n";
    let e = read_err(xml.as_bytes(), Format::Schild, &opts());
    assert_eq!(e.position.line, Some(5));
    assert_eq!(e.position.column.as_deref(), Some("18"));
    assert_eq!(
        e.position.path.as_deref(),
        Some("/enterprise/person[1]/name/fn")
    );
    assert!(e.message.starts_with("malformed XML"), "{}", e.message);
    assert!(
        e.message.contains("<fn> opened at line 5 is not closed"),
        "{}",
        e.message
    );
}

#[test]
fn a_file_ending_inside_an_element_is_an_error() {
    let xml = "<enterprise>\n  <person>\n    <sourcedid><id>X</id></sourcedid>\n";
    let e = read_err(xml.as_bytes(), Format::Schild, &opts());
    assert!(
        e.message.contains("<person> (opened at line 2) is closed"),
        "{}",
        e.message
    );
    assert_eq!(e.position.path.as_deref(), Some("/enterprise/person[1]"));
}

#[test]
fn the_root_must_be_enterprise() {
    let e = read_err(
        b"<?xml version=\"1.0\"?>\n\n<html><body/></html>",
        Format::Schild,
        &opts(),
    );
    assert_eq!(e.position.line, Some(3));
    assert!(e.message.contains("not <enterprise>"), "{}", e.message);
    let e = read_err(b"just text, no XML", Format::Schild, &opts());
    assert_eq!(e.message, "the file contains no XML element");
}

#[test]
fn unknown_entities_are_errors_not_expansions() {
    let xml = "<!DOCTYPE e [<!ENTITY x \"boom\">]>\n<enterprise><person><name>&x;</name></person></enterprise>";
    let e = read_err(xml.as_bytes(), Format::Schild, &opts());
    assert!(e.message.contains("unknown entity &x;"), "{}", e.message);
    assert_eq!(e.position.line, Some(2));
}

#[test]
fn reads_latin1_and_utf16() {
    let person = "<person><sourcedid><id>1</id></sourcedid><name><n><family>Müller</family><given>Jürgen</given></n></name><institutionrole institutionroletype=\"faculty\"/></person>";
    let latin1: Vec<u8> = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<enterprise>{person}</enterprise>"
    )
    .chars()
    .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
    .collect();
    let data = read_bytes(&latin1, Format::Schild, &opts()).expect("reads");
    assert_eq!(data.persons[0].last_name, "Müller");
    let mut utf16 = vec![0xFF, 0xFE];
    let text =
        format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<enterprise>{person}</enterprise>");
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let data = read_bytes(&utf16, Format::Schild, &opts()).expect("reads");
    assert_eq!(data.persons[0].first_name, "Jürgen");
}

#[test]
fn invalid_utf8_is_an_error_with_a_line() {
    let mut xml = b"<enterprise>\n<person><name>".to_vec();
    xml.extend_from_slice(b"M\xfcller</name></person></enterprise>");
    let e = read_err(&xml, Format::Schild, &opts());
    assert_eq!(e.position.line, Some(2), "{e}");
}
