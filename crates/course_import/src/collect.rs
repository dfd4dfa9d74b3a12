//! What both readers share while building a course: the table of used files (each archive
//! file numbered once), the report, and XML files looked up in the archive.

use std::collections::HashMap;

use crate::entries::Entries;
use crate::model::{FileId, ImportedFile, ImportedSection, ReportLine, Severity, Source};
use crate::xml::{self, Element};
use crate::{ImportError, Limits};

/// The result of a reader, before the buffer is moved in.
pub(crate) struct Parts {
    pub source: Source,
    pub name: String,
    pub sections: Vec<ImportedSection>,
    pub files: Vec<ImportedFile>,
    pub report: Vec<ReportLine>,
}

pub(crate) struct Collector<'a> {
    pub entries: &'a Entries,
    pub limits: &'a Limits,
    files: Vec<ImportedFile>,
    by_key: HashMap<String, FileId>,
    report: Vec<ReportLine>,
}

impl<'a> Collector<'a> {
    pub fn new(entries: &'a Entries, limits: &'a Limits) -> Self {
        Self {
            entries,
            limits,
            files: Vec::new(),
            by_key: HashMap::new(),
            report: Vec::new(),
        }
    }

    /// The number of the archive file at `path`, registering it on first use under `key`
    /// (what identifies it in the source, so two records of one content stay two files).
    /// `None` if the archive does not hold `path`.
    pub fn file(
        &mut self,
        key: &str,
        path: &str,
        name: &str,
        mime: Option<&str>,
    ) -> Option<FileId> {
        if let Some(id) = self.by_key.get(key) {
            return Some(*id);
        }
        let range = self.entries.range(path)?;
        let id = FileId::try_from(self.files.len() + 1).ok()?;
        let mime = mime
            .filter(|m| m.contains('/') && m.bytes().all(|b| b.is_ascii_graphic()))
            .map_or_else(|| guess_mime(name).to_owned(), str::to_owned);
        self.files.push(ImportedFile {
            id,
            name: name.to_owned(),
            mime,
            size: (range.end - range.start) as u64,
            source_path: path.to_owned(),
            range,
        });
        self.by_key.insert(key.to_owned(), id);
        Some(id)
    }

    pub fn note(
        &mut self,
        severity: Severity,
        location: &str,
        key: &'static str,
        de: String,
        en: String,
    ) {
        self.report.push(ReportLine {
            severity,
            location: location.to_owned(),
            key,
            de,
            en,
        });
    }

    /// The XML file at `path` parsed, `None` if the archive does not hold it.
    pub fn xml(&self, path: &str) -> Result<Option<Element>, ImportError> {
        match self.entries.get(path) {
            Some(bytes) => xml::parse(path, bytes, self.limits.max_xml_depth).map(Some),
            None => Ok(None),
        }
    }

    /// The XML file at `path`, which must be there.
    pub fn required_xml(&self, path: &str, expected: &'static str) -> Result<Element, ImportError> {
        self.xml(path)?
            .ok_or(ImportError::MissingManifest { expected })
    }

    pub fn finish(self, source: Source, name: String, sections: Vec<ImportedSection>) -> Parts {
        Parts {
            source,
            name,
            sections,
            files: self.files,
            report: self.report,
        }
    }
}

/// A content type from the file name's ending; `application/octet-stream` if unknown.
pub(crate) fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        Some("css") => "text/css",
        Some("csv") => "text/csv",
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("mp3") => "audio/mpeg",
        Some("ogg") => "audio/ogg",
        Some("wav") => "audio/wav",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("zip") => "application/zip",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("ppt") => "application/vnd.ms-powerpoint",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("ods") => "application/vnd.oasis.opendocument.spreadsheet",
        Some("odp") => "application/vnd.oasis.opendocument.presentation",
        _ => "application/octet-stream",
    }
}
