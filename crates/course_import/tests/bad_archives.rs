//! Archives that must be refused as a whole, each with an error that says what and where.

mod common;

use std::io::Write;

use common::moodle::{self, as_refs};
use common::{cartridge, tar_gz, tar_gz_raw, zip};
use schulhof_course_import::{ImportError, Limits, read_archive};

fn read(bytes: &[u8]) -> Result<schulhof_course_import::ImportedCourse, ImportError> {
    read_archive(bytes, &Limits::default())
}

fn err(bytes: &[u8]) -> ImportError {
    read(bytes).expect_err("must be refused")
}

/// The Moodle 4 entries with `path` replaced by `content`.
fn moodle_with(path: &str, content: &str) -> Vec<(String, Vec<u8>)> {
    let mut e = moodle::moodle4_entries();
    let slot = e.iter_mut().find(|(k, _)| k == path).expect("fixture path");
    slot.1 = content.as_bytes().to_vec();
    e
}

#[test]
fn unknown_bytes_are_no_course_archive() {
    assert_eq!(err(b"hello world"), ImportError::UnknownFormat);
    assert_eq!(err(b""), ImportError::UnknownFormat);
    assert_eq!(err(b"%PDF-1.7 ..."), ImportError::UnknownFormat);
}

#[test]
fn damaged_containers_are_reported_as_damaged() {
    let e = err(b"\x1f\x8b\x08\x00garbage garbage");
    assert!(matches!(e, ImportError::Corrupt { .. }), "{e:?}");
    let mut z = zip(&[("imsmanifest.xml", b"<manifest/>")]);
    z.truncate(z.len() - 10);
    let e = err(&z);
    assert!(matches!(e, ImportError::Corrupt { .. }), "{e:?}");
}

#[test]
fn archive_without_manifest_names_what_is_missing() {
    let e = err(&zip(&[
        ("readme.txt", b"hi"),
        ("course/page.html", b"<p/>"),
    ]));
    assert!(matches!(e, ImportError::MissingManifest { .. }), "{e:?}");
    assert!(e.to_string().contains("moodle_backup.xml"), "{e}");
    assert!(e.to_string().contains("imsmanifest.xml"), "{e}");
    let e = err(&tar_gz(&[("files.xml", b"<files/>")]));
    assert!(matches!(e, ImportError::MissingManifest { .. }), "{e:?}");
}

#[test]
fn zip_entry_climbing_out_is_refused_by_name() {
    for (name, reason) in [
        ("../evil.txt", ".."),
        ("course/../../evil.txt", ".."),
        ("/etc/passwd", "absolut"),
        ("C:/windows/evil.txt", "absolut"),
        ("course\\evil.txt", "Backslash"),
    ] {
        let e = err(&zip(&[("imsmanifest.xml", b"<manifest/>"), (name, b"x")]));
        let ImportError::UnsafePath { entry, .. } = &e else {
            panic!("{name}: {e:?}");
        };
        assert_eq!(entry, name);
        assert!(e.to_string().contains(name), "{e}");
        assert!(e.to_string().contains(reason), "{e}");
        assert!(!e.english().is_empty());
    }
}

#[test]
fn tar_entry_climbing_out_is_refused_by_name() {
    let e = err(&tar_gz_raw(
        b"../../etc/cron.d/x",
        tar::EntryType::Regular,
        b"x",
    ));
    assert_eq!(
        e,
        ImportError::UnsafePath {
            entry: "../../etc/cron.d/x".into(),
            reason: "er verweist mit „..“ aus dem Archiv hinaus",
        }
    );
    let e = err(&tar_gz_raw(
        b"/abs/moodle_backup.xml",
        tar::EntryType::Regular,
        b"x",
    ));
    assert!(matches!(e, ImportError::UnsafePath { .. }), "{e:?}");
}

#[test]
fn tar_links_are_refused() {
    let e = err(&tar_gz_raw(
        b"moodle_backup.xml",
        tar::EntryType::Symlink,
        b"",
    ));
    assert!(
        matches!(&e, ImportError::UnsupportedEntry { entry, .. } if entry == "moodle_backup.xml"),
        "{e:?}"
    );
}

#[test]
fn duplicate_entries_are_refused() {
    let e = err(&tar_gz(&[
        ("moodle_backup.xml", b"<a/>"),
        ("./moodle_backup.xml", b"<b/>"),
    ]));
    assert_eq!(
        e,
        ImportError::DuplicateEntry {
            entry: "moodle_backup.xml".into()
        }
    );
}

#[test]
fn zip_bomb_entry_is_stopped_while_reading() {
    let zeros = vec![0u8; 4 << 20];
    let bomb = zip(&[("imsmanifest.xml", b"<manifest/>"), ("big.bin", &zeros)]);
    assert!(
        bomb.len() < 64 << 10,
        "deflated zeros are small: {}",
        bomb.len()
    );
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let e = read_archive(&bomb, &limits).expect_err("bomb");
    assert_eq!(
        e,
        ImportError::EntryTooLarge {
            entry: "big.bin".into(),
            limit: 1 << 20
        }
    );
}

#[test]
fn total_size_is_capped_over_all_entries() {
    let part = vec![7u8; 600 << 10];
    let limits = Limits {
        max_total_bytes: 1 << 20,
        ..Limits::default()
    };
    let entries = [
        ("imsmanifest.xml", &b"<manifest/>"[..]),
        ("a.bin", &part),
        ("b.bin", &part),
    ];
    for bytes in [zip(&entries), tar_gz(&entries)] {
        let e = read_archive(&bytes, &limits).expect_err("too large");
        assert_eq!(e, ImportError::TooLarge { limit: 1 << 20 });
    }
}

#[test]
fn tar_gz_bomb_is_stopped() {
    let zeros = vec![0u8; 8 << 20];
    let bomb = tar_gz(&[("moodle_backup.xml", b"<a/>"), ("files/aa/big", &zeros)]);
    let limits = Limits {
        max_total_bytes: 2 << 20,
        max_entry_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = read_archive(&bomb, &limits).expect_err("bomb");
    assert_eq!(e, ImportError::TooLarge { limit: 2 << 20 });
}

#[test]
fn entry_count_is_capped() {
    let names: Vec<String> = (0..20).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    for bytes in [zip(&entries), tar_gz(&entries)] {
        let e = read_archive(&bytes, &limits).expect_err("too many");
        assert_eq!(e, ImportError::TooManyEntries { limit: 10 });
    }
}

#[test]
fn malformed_manifest_xml_names_file_and_position() {
    let e = err(&tar_gz(&as_refs(&moodle_with(
        "moodle_backup.xml",
        "<moodle_backup>\n  <information>\n    <name>x</nam>\n",
    ))));
    let ImportError::Xml { file, line, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(file, "moodle_backup.xml");
    assert_eq!(*line, 3);
    assert!(
        e.to_string()
            .starts_with("moodle_backup.xml, Zeile 3, Spalte"),
        "{e}"
    );
}

#[test]
fn malformed_activity_xml_names_that_file() {
    let e = err(&tar_gz(&as_refs(&moodle_with(
        "activities/page_1/page.xml",
        "<activity><page><name>a & b</name></page></activity>",
    ))));
    assert!(
        matches!(&e, ImportError::Xml { file, line: 1, .. } if file == "activities/page_1/page.xml"),
        "{e:?}"
    );
}

#[test]
fn doctype_in_xml_is_refused() {
    let e = err(&tar_gz(&as_refs(&moodle_with(
        "files.xml",
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><files>&a;</files>",
    ))));
    assert!(
        matches!(&e, ImportError::Xml { file, .. } if file == "files.xml"),
        "{e:?}"
    );
}

#[test]
fn unknown_moodle_versions_are_refused() {
    let old_format = moodle::backup_xml("moodle1", "2023100900", "", "");
    let e = err(&tar_gz(&as_refs(&moodle_with(
        "moodle_backup.xml",
        &old_format,
    ))));
    assert!(matches!(e, ImportError::UnsupportedVersion { .. }), "{e:?}");
    let too_old = moodle::backup_xml("moodle2", "2009010100", "", "");
    let e = err(&tar_gz(&as_refs(&moodle_with(
        "moodle_backup.xml",
        &too_old,
    ))));
    assert!(e.to_string().contains("2009010100"), "{e}");
    let e = err(&zip(&[("moodle.xml", b"<MOODLE_BACKUP/>")]));
    assert!(matches!(e, ImportError::UnsupportedVersion { .. }), "{e:?}");
}

#[test]
fn unknown_cartridge_versions_are_refused() {
    let v2 = cartridge::manifest(
        "<schema>IMS Common Cartridge</schema><schemaversion>2.0.0</schemaversion>",
        "",
        "",
    );
    let e = err(&zip(&[("imsmanifest.xml", v2.as_bytes())]));
    assert_eq!(
        e,
        ImportError::UnsupportedVersion {
            format: "IMS Common Cartridge",
            version: "2.0.0".into()
        }
    );
    let content_package = "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"><metadata><schema>IMS Content</schema><schemaversion>1.1.4</schemaversion></metadata></manifest>";
    let e = err(&zip(&[("imsmanifest.xml", content_package.as_bytes())]));
    assert!(matches!(e, ImportError::UnsupportedVersion { .. }), "{e:?}");
}

#[test]
fn cartridge_version_from_namespace_when_not_declared() {
    let m = cartridge::manifest("", "", "").replace("imsccv1p1/imscp", "imsccv1p3/imscp");
    let course = read(&zip(&[("imsmanifest.xml", m.as_bytes())])).expect("read");
    assert_eq!(
        course.source,
        schulhof_course_import::Source::CommonCartridge {
            version: "1.3.0".into()
        }
    );
}

#[test]
fn missing_activity_files_are_reported_not_fatal() {
    let mut e = moodle::moodle4_entries();
    e.retain(|(k, _)| k != "activities/url_3/url.xml" && !k.starts_with("files/1a"));
    let course = read(&tar_gz(&as_refs(&e))).expect("read");
    let keys: Vec<&str> = course.report.iter().map(|r| r.key).collect();
    assert!(keys.contains(&"course_import.activity_missing"), "{keys:?}");
    assert!(keys.contains(&"course_import.file_missing"), "{keys:?}");
    assert!(course.files.iter().all(|f| f.name != "bild eins.png"));
}

#[test]
fn unsafe_link_targets_are_not_brought_over() {
    let mut e = moodle::moodle4_entries();
    let xml = moodle::activity_xml(
        "url",
        3,
        43,
        "<name>Böse</name><externalurl>javascript:alert(1)</externalurl>",
    );
    e.iter_mut()
        .find(|(k, _)| k == "activities/url_3/url.xml")
        .expect("url")
        .1 = xml.into_bytes();
    let course = read(&tar_gz(&as_refs(&e))).expect("read");
    let items: Vec<&str> = course
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.title())
        .collect();
    assert!(!items.contains(&"Böse"), "{items:?}");
    assert!(
        course
            .report
            .iter()
            .any(|r| r.key == "course_import.unsafe_url")
    );
}

#[test]
fn non_utf8_xml_is_an_xml_error() {
    let mut w = Vec::new();
    w.write_all(b"<files>\n<file>\xff\xfe</file></files>")
        .expect("write");
    let mut e = moodle::moodle4_entries();
    e.iter_mut()
        .find(|(k, _)| k == "files.xml")
        .expect("files")
        .1 = w;
    let err = err(&tar_gz(&as_refs(&e)));
    assert!(
        matches!(&err, ImportError::Xml { file, line: 2, .. } if file == "files.xml"),
        "{err:?}"
    );
}

/// Writes `size` as the uncompressed size of the ZIP entry `name` into its local and its
/// central header: a header that lies.
fn forge_zip_size(bytes: &mut [u8], name: &[u8], size: u32) {
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(46) {
        let (offset, name_at) = match &bytes[i..i + 4] {
            [b'P', b'K', 3, 4] => (22, 30),
            [b'P', b'K', 1, 2] => (24, 46),
            _ => continue,
        };
        if bytes.get(i + name_at..i + name_at + name.len()) == Some(name) {
            bytes[i + offset..i + offset + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local and central header patched");
}

#[test]
fn lying_zip_size_header_does_not_lift_the_cap() {
    let zeros = vec![0u8; 3 << 20];
    let mut bomb = zip(&[("imsmanifest.xml", b"<manifest/>"), ("big.bin", &zeros)]);
    forge_zip_size(&mut bomb, b"big.bin", 100);
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let e = read_archive(&bomb, &limits).expect_err("lying header");
    assert!(
        matches!(
            e,
            ImportError::EntryTooLarge { .. } | ImportError::Corrupt { .. }
        ),
        "{e:?}"
    );
}
