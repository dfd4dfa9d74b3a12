//! Bringing a course over from another platform (issue 15 item 8): a Moodle backup (`.mbz`)
//! or a Common Cartridge (`.imscc`) is read by `schulhof_course_import`, shown as a preview
//! (sections, items, files, what cannot be brought over), and on confirmation written into a
//! course the caller edits — sections, pages, files, folders, links and assignments, all in
//! one transaction. A broken archive gives the reader's message and changes nothing.

mod assignment;
mod plan;
mod stage;
mod write;

pub use schulhof_course_import::{ImportError, ReportLine, Severity};

use std::sync::Arc;

use schulhof_course_import::{ImportedCourse, ImportedItem, Limits, Source, read_archive};
use schulhof_types::CourseId;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Largest archive accepted for upload.
pub const MAX_ARCHIVE: u64 = 200 * 1024 * 1024;

/// Why an import (or its preview) did not happen.
#[derive(Debug)]
pub enum ImportFailure {
    /// The archive cannot be read: the reader's message (German; `.english()`).
    Archive(ImportError),
    /// The upload is larger than [`MAX_ARCHIVE`].
    TooLarge,
    /// The uploaded archive is gone (a day passed, or it was imported already) or was not
    /// uploaded by the caller for this course.
    Expired,
    /// Not found, not allowed, quota, database …
    Domain(DomainError),
}

impl From<DomainError> for ImportFailure {
    fn from(e: DomainError) -> Self {
        ImportFailure::Domain(e)
    }
}

impl From<schulhof_store::StoreError> for ImportFailure {
    fn from(e: schulhof_store::StoreError) -> Self {
        ImportFailure::Domain(e.into())
    }
}

/// What an import would create, for the confirmation page.
#[derive(Clone, Debug)]
pub struct ImportPreview {
    /// Carried by the confirmation form.
    pub token: String,
    /// "Moodle 4.3 (Build: …)" or "Common Cartridge 1.3.0".
    pub source: String,
    pub name: String,
    pub sections: Vec<PreviewSection>,
    pub files: Vec<PreviewFile>,
    /// The reader's report, then this platform's remarks.
    pub report: Vec<ReportLine>,
    /// Bytes the files take (charged to the caller's quota).
    pub bytes: u64,
}

#[derive(Clone, Debug)]
pub struct PreviewSection {
    pub title: String,
    pub items: Vec<PreviewItem>,
}

#[derive(Clone, Debug)]
pub struct PreviewItem {
    /// The activity kind it becomes ("page", "file", "folder", "link", "assignment"), or
    /// `None` when it is not brought over.
    pub kind: Option<&'static str>,
    /// The archive's own kind for what is not brought over ("quiz", "forum" …).
    pub source_kind: String,
    pub title: String,
    pub files: usize,
}

#[derive(Clone, Debug)]
pub struct PreviewFile {
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// What an import created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOutcome {
    pub sections: usize,
    pub activities: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Reads an archive off the async threads (unpacking a large one takes a while).
async fn read(bytes: Arc<Vec<u8>>) -> Result<ImportedCourse, ImportFailure> {
    tokio::task::spawn_blocking(move || read_archive(&bytes, &Limits::default()))
        .await
        .map_err(|e| ImportFailure::Domain(DomainError::Internal(e.to_string())))?
        .map_err(ImportFailure::Archive)
}

fn source_text(s: &Source) -> String {
    match s {
        Source::Moodle { release, .. } => format!("Moodle {release}"),
        Source::CommonCartridge { version } => format!("Common Cartridge {version}"),
    }
}

fn preview_of(course: &ImportedCourse, token: String) -> ImportPreview {
    let plan = plan::plan(course);
    let sections = course
        .sections
        .iter()
        .map(|s| PreviewSection {
            title: plan::title(&s.title),
            items: s.items.iter().map(preview_item).collect(),
        })
        .collect();
    let mut report = course.report.clone();
    report.extend(plan.notes);
    ImportPreview {
        token,
        source: source_text(&course.source),
        name: course.name.clone(),
        sections,
        files: course
            .files
            .iter()
            .map(|f| PreviewFile {
                name: f.name.clone(),
                mime: f.mime.clone(),
                size: f.size,
            })
            .collect(),
        report,
        bytes: write::charged_bytes(course, &plan.sections),
    }
}

fn preview_item(i: &ImportedItem) -> PreviewItem {
    let (source_kind, files) = match i {
        ImportedItem::Unsupported { kind, .. } => (kind.clone(), 0),
        ImportedItem::File { .. } => (String::new(), 1),
        ImportedItem::Folder { file_ids, .. } | ImportedItem::Assignment { file_ids, .. } => {
            (String::new(), file_ids.len())
        }
        _ => (String::new(), 0),
    };
    PreviewItem {
        kind: plan::kind_of(i),
        source_kind,
        title: plan::title(i.title()),
        files,
    }
}

impl Platform {
    /// Reads an uploaded archive for a course the caller edits and keeps it for the
    /// confirmation; nothing of the course changes.
    pub async fn lms_import_preview(
        &self,
        a: &Actor,
        course: CourseId,
        archive: Vec<u8>,
    ) -> Result<ImportPreview, ImportFailure> {
        let ctx = self.lms_course_for_edit(a, course).await?;
        if archive.len() as u64 > MAX_ARCHIVE {
            return Err(ImportFailure::TooLarge);
        }
        let owner = (ctx.facts.instance, course, a.token.user());
        let archive = Arc::new(archive);
        let parsed = read(archive.clone()).await?;
        // Only a readable archive is kept: a broken one leaves nothing behind.
        let token = self.stage_archive(owner, &archive).await?;
        Ok(preview_of(&parsed, token))
    }

    /// Imports the archive staged under `token` into the course: everything or nothing.
    /// With `hidden`, the new sections stay hidden from participants until shown.
    pub async fn lms_import_confirm(
        &self,
        a: &Actor,
        course: CourseId,
        token: &str,
        hidden: bool,
    ) -> Result<ImportOutcome, ImportFailure> {
        let ctx = self.lms_course_for_edit(a, course).await?;
        let owner = (ctx.facts.instance, course, a.token.user());
        let archive = self.staged_archive(owner, token).await?;
        let parsed = read(Arc::new(archive)).await?;
        let done = self.write_import(a, &ctx, &parsed, hidden).await?;
        self.drop_staged(token).await;
        Ok(done)
    }
}
