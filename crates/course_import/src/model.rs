//! The neutral course model both readers produce. HTML is passed on as the archive has it
//! (the consumer must sanitise it before showing it); references to files of the archive are
//! replaced by [`file_placeholder`] so the consumer can point them at wherever it stores them.

use std::ops::Range;

/// The number of an [`ImportedFile`] within one [`ImportedCourse`] (1, 2, 3 … in order of
/// first use, so the same archive always gives the same numbers).
pub type FileId = u32;

/// A course read from an archive.
#[derive(Clone, PartialEq)]
pub struct ImportedCourse {
    pub source: Source,
    pub name: String,
    pub sections: Vec<ImportedSection>,
    /// Every file some section or item refers to, each once.
    pub files: Vec<ImportedFile>,
    /// What was brought over partly, skipped or odd, in archive order.
    pub report: Vec<ReportLine>,
    /// The unpacked archive; [`ImportedFile::range`] points into it.
    pub(crate) data: Vec<u8>,
}

impl ImportedCourse {
    /// The content of `file`.
    pub fn bytes(&self, file: &ImportedFile) -> &[u8] {
        self.data.get(file.range.clone()).unwrap_or_default()
    }

    /// The file with number `id`.
    pub fn file(&self, id: FileId) -> Option<&ImportedFile> {
        self.files.iter().find(|f| f.id == id)
    }

    /// The content of the file with number `id`.
    pub fn file_bytes(&self, id: FileId) -> Option<&[u8]> {
        self.file(id).map(|f| self.bytes(f))
    }
}

impl std::fmt::Debug for ImportedCourse {
    /// Everything but the raw buffer (which can be a gigabyte).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportedCourse")
            .field("source", &self.source)
            .field("name", &self.name)
            .field("sections", &self.sections)
            .field("files", &self.files)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

/// Which kind of archive the course came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `release` as the backup states it, e.g. "4.3 (Build: 20231009)"; `zip` for the
    /// pre-2.6 container.
    Moodle { release: String, zip: bool },
    /// `version` as in the manifest, e.g. "1.3.0".
    CommonCartridge { version: String },
}

/// A section (Moodle: topic or week; cartridge: a top-level item with children).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSection {
    pub title: String,
    /// Empty if there is none.
    pub summary_html: String,
    pub items: Vec<ImportedItem>,
}

/// One piece of content in a section.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportedItem {
    /// A text page (Moodle page or label, cartridge HTML).
    Page { title: String, html: String },
    /// One file to download.
    File { title: String, file_id: FileId },
    /// Several files under one title.
    Folder {
        title: String,
        file_ids: Vec<FileId>,
    },
    /// A link to an outside address (http, https, ftp or mailto only).
    Link { title: String, url: String },
    /// An assignment. Times are unix seconds; `max_points` is `None` when not graded by
    /// points.
    Assignment {
        title: String,
        instructions_html: String,
        due_at: Option<i64>,
        cutoff_at: Option<i64>,
        allow_from: Option<i64>,
        max_points: Option<f64>,
        file_ids: Vec<FileId>,
    },
    /// Something that is not brought over (quiz, forum, H5P, SCORM …); also in the report.
    /// `kind` is the source's own name (Moodle module name, cartridge resource type).
    Unsupported { kind: String, title: String },
}

impl ImportedItem {
    pub fn title(&self) -> &str {
        match self {
            Self::Page { title, .. }
            | Self::File { title, .. }
            | Self::Folder { title, .. }
            | Self::Link { title, .. }
            | Self::Assignment { title, .. }
            | Self::Unsupported { title, .. } => title,
        }
    }
}

/// A file of the archive that the course uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    pub id: FileId,
    /// The file name as the author gave it (no folders).
    pub name: String,
    /// From the archive when it states one, else guessed from the name.
    pub mime: String,
    pub size: u64,
    /// Where the content lies in the archive (for messages), e.g. `files/ab/ab12…`.
    pub source_path: String,
    pub(crate) range: Range<usize>,
}

/// How serious a report line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Brought over, but differently (e.g. a label became a page).
    Info,
    /// Not brought over (quiz, forum …).
    Skipped,
    /// Brought over with a defect (e.g. a missing file), or an odd archive detail.
    Warning,
}

/// One remark about the import, for the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub severity: Severity,
    /// The activity or section title, or the archive path, the line is about.
    pub location: String,
    /// A stable key for translations, e.g. `course_import.not_supported`.
    pub key: &'static str,
    /// The message in German.
    pub de: String,
    /// The message in English.
    pub en: String,
}

/// What replaces a reference to file `id` in imported HTML: `@@FILE:<id>@@`.
pub fn file_placeholder(id: FileId) -> String {
    format!("@@FILE:{id}@@")
}

/// `html` with every [`file_placeholder`] replaced by what `url` gives for its id; ids for which
/// `url` gives `None` (and malformed placeholders) are left as they are.
pub fn replace_file_placeholders(
    html: &str,
    mut url: impl FnMut(FileId) -> Option<String>,
) -> String {
    const OPEN: &str = "@@FILE:";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let replaced = after[digits..]
            .starts_with("@@")
            .then(|| after[..digits].parse::<FileId>().ok())
            .flatten()
            .and_then(&mut url);
        match replaced {
            Some(u) => {
                out.push_str(&u);
                rest = &after[digits + 2..];
            }
            None => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
