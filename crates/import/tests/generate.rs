//! The generated test files: sizes, determinism, and that they read without conflicts.

mod common;

use common::read_bytes;
use schulhof_import::generate::{
    SchildSpec, group_count, membership_count, person_count, schild_xml, svws_json,
};
use schulhof_import::{Format, ReadOptions};
use schulhof_types::AccountType;

#[test]
fn the_bench_file_has_the_promised_shape_and_reads_cleanly() {
    let spec = SchildSpec::bench();
    let xml = schild_xml(&spec);
    assert!(
        (3_000_000..6_000_000).contains(&xml.len()),
        "{} bytes",
        xml.len()
    );
    assert_eq!(person_count(&spec), 2000);
    assert_eq!(group_count(&spec), 150);
    assert!((9_000..=10_500).contains(&membership_count(&spec)));

    let data = read_bytes(xml.as_bytes(), Format::Schild, &ReadOptions::default()).expect("reads");
    assert!(
        data.conflicts.is_empty(),
        "{:#?}",
        &data.conflicts[..data.conflicts.len().min(5)]
    );
    assert_eq!(data.persons.len(), 2000);
    assert_eq!(data.groups.len(), 150);
    let memberships: usize = data.persons.iter().map(|p| p.groups.len()).sum();
    assert_eq!(memberships, membership_count(&spec));
    assert_eq!(data.school_number.as_deref(), Some("199999"));
    assert_eq!(data.school_year.as_deref(), Some("2025/26"));
    assert_eq!(
        data.persons.iter().filter(|p| p.left).count(),
        spec.left_students
    );

    let names: Vec<(&str, &str)> = data
        .persons
        .iter()
        .map(|p| (p.first_name.as_str(), p.last_name.as_str()))
        .collect();
    assert_eq!(names[0], ("Anna Lena", "Müller"));
    assert_eq!(names[1], names[0], "identical full names");
    for expected in [
        ("Ayşe", "Özdemir"),
        ("José", "O'Brien"),
        ("Renée", "Weiß"),
        ("Zoë", "Meyer-Lüdenscheidt"),
        ("Jürgen", "Groß"),
        ("Chloé", "Schäfer-Nguyễn"),
    ] {
        assert!(names.contains(&expected), "{expected:?}");
    }
    let teachers: Vec<_> = data
        .persons
        .iter()
        .filter(|p| p.account_type == AccountType::Lehrer)
        .collect();
    assert_eq!(teachers.len(), spec.teachers);
    assert!(teachers.iter().any(|t| t.mail.is_none()));
    assert!(teachers.iter().any(|t| t.mail.is_some()));
}

#[test]
fn generation_is_deterministic_per_seed() {
    let spec = SchildSpec::small();
    assert_eq!(schild_xml(&spec), schild_xml(&spec));
    let other = SchildSpec {
        seed: 8,
        ..spec.clone()
    };
    assert_ne!(schild_xml(&spec), schild_xml(&other));
}

#[test]
fn the_small_school_reads_cleanly_with_and_without_students() {
    let spec = SchildSpec::small();
    let xml = schild_xml(&spec);
    let data = read_bytes(xml.as_bytes(), Format::Schild, &ReadOptions::default()).expect("reads");
    assert!(data.conflicts.is_empty());
    assert_eq!(data.persons.len(), person_count(&spec));
    let opts = ReadOptions {
        with_students: false,
        ..ReadOptions::default()
    };
    let data = read_bytes(xml.as_bytes(), Format::Schild, &opts).expect("reads");
    assert!(data.conflicts.is_empty());
    assert_eq!(data.persons.len(), spec.teachers);
}

#[test]
fn the_svws_export_of_the_same_school_reads_cleanly() {
    let spec = SchildSpec::bench();
    let data = read_bytes(
        svws_json(&spec).as_bytes(),
        Format::Svws,
        &ReadOptions::default(),
    )
    .expect("reads");
    assert!(
        data.conflicts.is_empty(),
        "{:#?}",
        &data.conflicts[..data.conflicts.len().min(5)]
    );
    assert_eq!(data.persons.len(), person_count(&spec));
    // Classes, courses and one class-taught learning group per class.
    assert_eq!(data.groups.len(), 2 * spec.classes + spec.courses);
    assert_eq!(data.school_year.as_deref(), Some("2025/26"));
    assert_eq!(
        data.persons.iter().filter(|p| p.left).count(),
        spec.left_students
    );
}

#[test]
fn degenerate_specs_do_not_panic() {
    let empty = SchildSpec {
        school_number: "000001".into(),
        students: 3,
        teachers: 0,
        classes: 0,
        courses: 0,
        courses_per_student: 5,
        left_students: 10,
        seed: 1,
    };
    let data = read_bytes(
        schild_xml(&empty).as_bytes(),
        Format::Schild,
        &ReadOptions::default(),
    )
    .expect("reads");
    assert_eq!(data.persons.len(), 3);
    let memberships: usize = data.persons.iter().map(|p| p.groups.len()).sum();
    assert_eq!(memberships, membership_count(&empty));
    read_bytes(
        svws_json(&empty).as_bytes(),
        Format::Svws,
        &ReadOptions::default(),
    )
    .expect("reads");
}
