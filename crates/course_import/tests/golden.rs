//! Whole archives read into the model, compared with reviewed snapshots of everything the
//! model holds (structure, HTML with placeholders, file contents, report).

mod common;

use common::moodle::as_refs;
use common::{cartridge, moodle, render, tar_gz, zip};
use schulhof_course_import::{
    ImportedItem, Limits, Source, file_placeholder, read_archive, replace_file_placeholders,
};

#[test]
fn moodle4_tar_gz_backup() {
    let entries = moodle::moodle4_entries();
    let course = read_archive(&tar_gz(&as_refs(&entries)), &Limits::default()).expect("read");
    assert!(matches!(course.source, Source::Moodle { zip: false, .. }));
    assert_eq!(course.sections.len(), 2);
    // The image of the page is one file, referenced by its placeholder.
    let ImportedItem::Page { html, .. } = &course.sections[0].items[0] else {
        panic!(
            "first item is not the page: {:?}",
            course.sections[0].items[0]
        );
    };
    let img = course
        .files
        .iter()
        .find(|f| f.name == "bild eins.png")
        .expect("image");
    assert!(html.contains(&file_placeholder(img.id)), "{html}");
    assert_eq!(course.bytes(img), b"PNGDATA");
    insta::assert_snapshot!(render(&course));
}

#[test]
fn moodle_old_zip_backup() {
    let entries = moodle::old_zip_entries();
    let course = read_archive(&zip(&as_refs(&entries)), &Limits::default()).expect("read");
    assert!(matches!(course.source, Source::Moodle { zip: true, .. }));
    insta::assert_snapshot!(render(&course));
}

#[test]
fn moodle_backup_with_leading_dot_slash_names() {
    let entries: Vec<(String, Vec<u8>)> = moodle::moodle4_entries()
        .into_iter()
        .map(|(k, v)| (format!("./{k}"), v))
        .collect();
    let dotted = read_archive(&tar_gz(&as_refs(&entries)), &Limits::default()).expect("read");
    let plain = read_archive(
        &tar_gz(&as_refs(&moodle::moodle4_entries())),
        &Limits::default(),
    )
    .expect("read");
    assert_eq!(render(&dotted), render(&plain));
}

#[test]
fn common_cartridge_1_1() {
    let entries = cartridge::cc11_entries();
    let course = read_archive(&zip(&as_refs(&entries)), &Limits::default()).expect("read");
    assert_eq!(
        course.source,
        Source::CommonCartridge {
            version: "1.1.0".into()
        }
    );
    insta::assert_snapshot!(render(&course));
}

#[test]
fn common_cartridge_1_3_assignment() {
    let entries = cartridge::cc13_entries();
    let course = read_archive(&zip(&as_refs(&entries)), &Limits::default()).expect("read");
    insta::assert_snapshot!(render(&course));
}

#[test]
fn placeholders_are_replaced_by_urls() {
    let html = format!(
        "<img src=\"{}\"><a href=\"{}\">x</a> @@FILE:x@@ @@FILE:9",
        file_placeholder(1),
        file_placeholder(2)
    );
    let out = replace_file_placeholders(&html, |id| (id == 1).then(|| "/blob/1".to_owned()));
    assert_eq!(
        out,
        "<img src=\"/blob/1\"><a href=\"@@FILE:2@@\">x</a> @@FILE:x@@ @@FILE:9"
    );
}
