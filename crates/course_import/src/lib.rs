//! Course archives read into a neutral model, for bringing courses over from other learning
//! platforms: Moodle backups (`.mbz`, Moodle 2.0 and later, tar.gz or ZIP) and IMS Common
//! Cartridge (`.imscc`, 1.0–1.3).
//!
//! Pure: the archive comes in as bytes, the course goes out as values; no files, no database.
//! The archive is recognised by its content, unpacked in memory within [`Limits`], and every
//! entry name is checked. Whatever the input, [`read_archive`] returns (it does not panic).

mod cc;
mod collect;
mod detect;
mod entries;
mod error;
mod html;
mod limits;
mod model;
mod moodle;
mod xml;

pub use error::ImportError;
pub use limits::Limits;
pub use model::{
    FileId, ImportedCourse, ImportedFile, ImportedItem, ImportedSection, ReportLine, Severity,
    Source, file_placeholder, replace_file_placeholders,
};

use collect::Collector;
use detect::Kind;

/// Reads a Moodle backup or Common Cartridge from `bytes`.
///
/// Errors are for archives that cannot be read at all (unknown format, damaged, unsafe entry
/// names, over the limits, malformed XML, unknown versions); what is merely not brought over
/// is listed in [`ImportedCourse::report`].
pub fn read_archive(bytes: &[u8], limits: &Limits) -> Result<ImportedCourse, ImportError> {
    let (kind, entries) = detect::open(bytes, limits)?;
    let zip = bytes.starts_with(b"PK");
    let collector = Collector::new(&entries, limits);
    let parts = match kind {
        Kind::Moodle => moodle::read(collector, zip)?,
        Kind::Cartridge => cc::read(collector)?,
    };
    Ok(ImportedCourse {
        source: parts.source,
        name: parts.name,
        sections: parts.sections,
        files: parts.files,
        report: parts.report,
        data: entries.data,
    })
}
