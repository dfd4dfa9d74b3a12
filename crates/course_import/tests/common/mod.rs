//! Archive builders for the tests: archives are made here from XML strings, so every fixture
//! is visible in the test source and no binary files are checked in.
#![allow(dead_code)]

pub mod cartridge;
pub mod moodle;

use std::io::{Cursor, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use schulhof_course_import::{ImportedCourse, ImportedItem};
use zip::write::SimpleFileOptions;

/// Archive entries as (path, content).
pub type Entries = Vec<(String, Vec<u8>)>;

/// A tar.gz of `entries` (checked names, as Moodle ≥ 2.6 writes them).
pub fn tar_gz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, *data).expect("append");
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

/// A tar.gz with one raw header: `name` written as is (the builder refuses `..`).
pub fn tar_gz_raw(name: &[u8], kind: tar::EntryType, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let mut h = tar::Header::new_gnu();
    h.as_gnu_mut().expect("gnu").name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, data).expect("append");
    b.into_inner().expect("tar").finish().expect("gzip")
}

/// A ZIP of `entries`, deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

/// A ZIP of `entries`, stored: byte changes land in the XML itself.
pub fn zip_stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Stored)
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// A compact, complete rendering of the model (files with their content) for snapshots.
pub fn render(course: &ImportedCourse) -> String {
    let mut out = format!("{:?}\nname: {}\n", course.source, course.name);
    for s in &course.sections {
        out.push_str(&format!("\n## {}\n", s.title));
        if !s.summary_html.is_empty() {
            out.push_str(&format!("summary: {}\n", s.summary_html));
        }
        for item in &s.items {
            out.push_str(&format!("- {}\n", item_line(item)));
        }
    }
    out.push_str("\nfiles:\n");
    for f in &course.files {
        let bytes = course.bytes(f);
        out.push_str(&format!(
            "  {} {} {} {}B {:?} <- {}\n",
            f.id,
            f.name,
            f.mime,
            f.size,
            String::from_utf8_lossy(bytes),
            f.source_path
        ));
    }
    out.push_str("\nreport:\n");
    for r in &course.report {
        out.push_str(&format!(
            "  {:?} [{}] {}: {} | {}\n",
            r.severity, r.location, r.key, r.de, r.en
        ));
    }
    out
}

fn item_line(item: &ImportedItem) -> String {
    match item {
        ImportedItem::Page { title, html } => format!("Page {title:?}: {html}"),
        ImportedItem::File { title, file_id } => format!("File {title:?} -> {file_id}"),
        ImportedItem::Folder { title, file_ids } => format!("Folder {title:?} -> {file_ids:?}"),
        ImportedItem::Link { title, url } => format!("Link {title:?} -> {url}"),
        ImportedItem::Assignment {
            title,
            instructions_html,
            due_at,
            cutoff_at,
            allow_from,
            max_points,
            file_ids,
        } => format!(
            "Assignment {title:?}: {instructions_html} due={due_at:?} cutoff={cutoff_at:?} \
             from={allow_from:?} points={max_points:?} files={file_ids:?}"
        ),
        ImportedItem::Unsupported { kind, title } => format!("Unsupported {kind} {title:?}"),
    }
}
