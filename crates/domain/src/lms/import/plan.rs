//! What an imported course becomes here, decided before anything is written: sections,
//! activities with their files, assignment settings, and remarks where the platform brings
//! something over differently than the archive has it. Pure, so the preview shows exactly
//! what the import does.

use schulhof_course_import::{
    FileId, ImportedCourse, ImportedItem, ReportLine, Severity, replace_file_placeholders,
};
use schulhof_store::lms::assignments::AssignmentRow;
use schulhof_types::{ActivityId, SectionId};
use uuid::Uuid;

use crate::lms::page_text::{image_type, sanitize_imported};
use crate::news::sanitize;

/// Longest title of a section or activity.
const MAX_TITLE: usize = 200;

pub(crate) struct Plan {
    pub sections: Vec<PlanSection>,
    /// Remarks of this platform, shown after the archive's own report.
    pub notes: Vec<ReportLine>,
}

pub(crate) struct PlanSection {
    pub id: SectionId,
    pub title: String,
    /// Plain text (section summaries are text here).
    pub summary: String,
    pub items: Vec<PlanItem>,
}

pub(crate) struct PlanItem {
    pub id: ActivityId,
    pub kind: &'static str,
    pub title: String,
    /// Sanitised, file references pointing at this platform's downloads.
    pub body: String,
    pub url: Option<String>,
    pub due_at: Option<i64>,
    pub completion: &'static str,
    /// (row id of the activity file, archive file) in order.
    pub files: Vec<(Uuid, FileId)>,
    /// The rows of `files` that are pictures in the text (a page's pictures, not listed as
    /// downloads), with their type by their bytes.
    pub images: Vec<(Uuid, &'static str)>,
    pub assignment: Option<AssignmentRow>,
}

/// The kind an archive item becomes here (`None`: not brought over).
pub(crate) fn kind_of(item: &ImportedItem) -> Option<&'static str> {
    Some(match item {
        ImportedItem::Page { .. } => "page",
        ImportedItem::File { .. } => "file",
        ImportedItem::Folder { .. } => "folder",
        ImportedItem::Link { url, .. } if web_url(url) => "link",
        // Other schemes (mailto, ftp) are no links here: a page with the address.
        ImportedItem::Link { .. } => "page",
        ImportedItem::Assignment { .. } => "assignment",
        ImportedItem::Unsupported { .. } => return None,
    })
}

fn web_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2000
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub(crate) fn title(t: &str) -> String {
    let t: String = t
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE)
        .collect();
    if t.trim().is_empty() {
        "Ohne Titel".into()
    } else {
        t.trim().to_owned()
    }
}

/// The archive files `html` refers to, in order, each once.
fn referenced(html: &str) -> Vec<FileId> {
    let mut ids = Vec::new();
    replace_file_placeholders(html, |id| {
        if !ids.contains(&id) {
            ids.push(id);
        }
        None
    });
    ids
}

pub(super) fn note(location: &str, key: &'static str, de: String, en: String) -> ReportLine {
    ReportLine {
        severity: Severity::Info,
        location: location.to_owned(),
        key,
        de,
        en,
    }
}

/// Plans the import of `course`; placeholders point at `/kurse/material/{activity}/datei/{row}`.
pub(crate) fn plan(course: &ImportedCourse) -> Plan {
    let mut notes = Vec::new();
    let planned: Vec<Vec<PlanItem>> = course
        .sections
        .iter()
        .map(|s| {
            s.items
                .iter()
                .filter_map(|i| plan_item(course, i, &mut notes))
                .collect()
        })
        .collect();
    let sections = course
        .sections
        .iter()
        .zip(planned)
        .map(|(s, items)| {
            if !referenced(&s.summary_html).is_empty() {
                notes.push(note(
                    &s.title,
                    "lms_import.summary_files",
                    "Die Beschreibung des Abschnitts wird als Text übernommen, ohne ihre Bilder und Dateien."
                        .into(),
                    "The section summary becomes plain text, without its pictures and files.".into(),
                ));
            }
            PlanSection {
                id: SectionId::new(),
                title: title(&s.title),
                summary: text_of(&s.summary_html),
                items,
            }
        })
        .collect();
    Plan { sections, notes }
}

/// The download address of an activity file (the material page serves every kind's files).
pub(crate) fn file_url(activity: ActivityId, row: Uuid) -> String {
    format!("/kurse/material/{activity}/datei/{row}")
}

/// What [`with_files`] gives: the activity's files (new id, archive file), the text, and its
/// pictures (file id, alternative text).
type WithFiles = (Vec<(Uuid, FileId)>, String, Vec<(Uuid, &'static str)>);

/// An item with its files; file references in `html` point at this item's copies. The text
/// follows the page rules: a referenced file that is a picture by its bytes (PNG, JPEG, GIF,
/// WebP) stays in the text as the page's own picture — with the archive's alternative
/// text, else the file name — and is listed in the returned pictures.
fn with_files(course: &ImportedCourse, id: ActivityId, listed: &[FileId], html: &str) -> WithFiles {
    let mut files: Vec<(Uuid, FileId)> = Vec::new();
    for f in listed.iter().copied().chain(referenced(html)) {
        if course.file(f).is_some() && !files.iter().any(|(_, x)| *x == f) {
            files.push((Uuid::now_v7(), f));
        }
    }
    // Unknown numbers (a file missing from the archive, already reported) lead nowhere.
    let body = replace_file_placeholders(html, |n| {
        Some(
            files
                .iter()
                .find(|(_, x)| *x == n)
                .map(|(row, _)| file_url(id, *row))
                .unwrap_or_default(),
        )
    });
    let picture_of = |src: &str| {
        files.iter().find_map(|(row, f)| {
            (file_url(id, *row) == src)
                .then(|| image_type(course.file_bytes(*f).unwrap_or_default()))
                .flatten()
                .map(|mime| (*row, *f, mime))
        })
    };
    let body = sanitize_imported(&body, id, |src| {
        picture_of(src).and_then(|(_, f, _)| course.file(f).map(|x| x.name.clone()))
    });
    let images = files
        .iter()
        .filter_map(|(row, _)| {
            let src = file_url(id, *row);
            body.contains(&format!("src=\"{src}\""))
                .then(|| picture_of(&src).map(|(_, _, mime)| (*row, mime)))
                .flatten()
        })
        .collect();
    (files, body, images)
}

fn plan_item(
    course: &ImportedCourse,
    item: &ImportedItem,
    notes: &mut Vec<ReportLine>,
) -> Option<PlanItem> {
    let kind = kind_of(item)?;
    let id = ActivityId::new();
    let mut p = PlanItem {
        id,
        kind,
        title: title(item.title()),
        body: String::new(),
        url: None,
        due_at: None,
        completion: "view",
        files: Vec::new(),
        images: Vec::new(),
        assignment: None,
    };
    match item {
        ImportedItem::Page { html, .. } => {
            (p.files, p.body, p.images) = with_files(course, id, &[], html);
        }
        ImportedItem::File { file_id, .. } => {
            (p.files, _, _) = with_files(course, id, &[*file_id], "");
        }
        ImportedItem::Folder { file_ids, .. } => {
            (p.files, _, _) = with_files(course, id, file_ids, "");
        }
        ImportedItem::Link { url, .. } if kind == "link" => p.url = Some(url.clone()),
        ImportedItem::Link { url, title } => {
            let u = html_escape(url);
            p.body = sanitize(&format!("<p><a href=\"{u}\">{u}</a></p>"));
            notes.push(note(
                title,
                "lms_import.link_as_page",
                "Der Link ist keine Web-Adresse und wird als Seite mit der Adresse übernommen."
                    .into(),
                "The link is no web address and becomes a page with the address.".into(),
            ));
        }
        ImportedItem::Assignment {
            instructions_html,
            file_ids,
            ..
        } => {
            (p.files, p.body, p.images) = with_files(course, id, file_ids, instructions_html);
            p.completion = "submit";
            let (row, due) = super::assignment::settings(id, item, notes);
            p.due_at = due;
            p.assignment = Some(row);
        }
        ImportedItem::Unsupported { .. } => return None,
    }
    Some(p)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The text of archive HTML (section summaries are plain text here): tags and file
/// references dropped, entities decoded, whitespace collapsed, at most 5000 characters.
fn text_of(html: &str) -> String {
    let html = replace_file_placeholders(html, |_| Some(String::new()));
    let text = ammonia::Builder::empty()
        .clean(&html.replace('<', " <"))
        .to_string()
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").chars().take(5000).collect()
}
