//! `activities/<module>_<cmid>/<module>.xml`: the activities brought over (page, resource,
//! folder, url, assign, label); every other module becomes [`ImportedItem::Unsupported`].

use std::collections::HashMap;

use super::backup::ActivityRef;
use super::files::{self, FileRecord};
use crate::ImportError;
use crate::collect::Collector;
use crate::entries::join;
use crate::html::safe_url;
use crate::model::{FileId, ImportedItem, Severity};
use crate::xml::Element;

/// The item for activity `a`, `None` if it is left out (reported).
pub(crate) fn read(
    c: &mut Collector<'_>,
    a: &ActivityRef,
    pool: &HashMap<String, FileRecord>,
) -> Result<Option<ImportedItem>, ImportError> {
    let module = a.module.as_str();
    if module == "subsection" {
        // Moodle 4.5 keeps a subsection's content in a section of its own, read as such.
        return Ok(None);
    }
    if !matches!(
        module,
        "page" | "resource" | "folder" | "url" | "assign" | "label"
    ) {
        return Ok(Some(unsupported(c, module, &a.title)));
    }
    let path = join(&a.directory, &format!("{module}.xml")).unwrap_or_default();
    let Some(root) = c.xml(&path)? else {
        c.note(
            Severity::Warning,
            &a.title,
            "course_import.activity_missing",
            format!("Die Aktivität fehlt in der Sicherung ({path}); sie wird nicht übernommen."),
            format!("The activity is missing from the backup ({path}); it is not brought over."),
        );
        return Ok(None);
    };
    let Some(el) = root.child(module) else {
        return Err(ImportError::InvalidContent {
            file: path,
            message: format!("das Element <{module}> fehlt"),
        });
    };
    let title = match el.str_at("name") {
        "" => a.title.clone(),
        n => n.to_owned(),
    };
    let records = files::referenced(c, &a.directory, pool)?;
    note_hidden(c, a, &title)?;
    Ok(build(c, module, el, title, &records))
}

/// The item of a supported module from its element in `<module>.xml`.
fn build(
    c: &mut Collector<'_>,
    module: &str,
    el: &Element,
    title: String,
    records: &[FileRecord],
) -> Option<ImportedItem> {
    let component = format!("mod_{module}");
    let area = |name: &str| files::in_area(records, &component, name);
    let item = match module {
        "page" => {
            let html = files::rewrite(c, el.str_at("content"), &area("content"), &title);
            ImportedItem::Page { title, html }
        }
        "label" => {
            let html = files::rewrite(c, el.str_at("intro"), &area("intro"), &title);
            c.note(
                Severity::Info,
                &title,
                "course_import.label_as_page",
                "Das Textfeld wurde als Seite übernommen.".into(),
                "The text and media area was brought over as a page.".into(),
            );
            ImportedItem::Page { title, html }
        }
        "resource" => return resource(c, title, &area("content")),
        "folder" => {
            let file_ids = use_all(c, &area("content"), &title);
            ImportedItem::Folder { title, file_ids }
        }
        "url" => return link(c, title, el.str_at("externalurl")),
        _ => assignment(c, el, title, records),
    };
    Some(item)
}

/// A quiz, forum, H5P … : kept as a placeholder and reported.
fn unsupported(c: &mut Collector<'_>, module: &str, title: &str) -> ImportedItem {
    let (de, en) = module_names(module);
    c.note(
        Severity::Skipped,
        title,
        "course_import.not_supported",
        format!("{de} werden nicht übernommen."),
        format!("{en} are not brought over."),
    );
    ImportedItem::Unsupported {
        kind: module.to_owned(),
        title: title.to_owned(),
    }
}

/// German and English plural names of Moodle modules for the report.
fn module_names(module: &str) -> (String, String) {
    let (de, en) = match module {
        "quiz" => ("Tests", "Quizzes"),
        "forum" => ("Foren", "Forums"),
        "h5pactivity" | "hvp" => ("H5P-Inhalte", "H5P activities"),
        "scorm" => ("SCORM-Pakete", "SCORM packages"),
        "lesson" => ("Lektionen", "Lessons"),
        "glossary" => ("Glossare", "Glossaries"),
        "wiki" => ("Wikis", "Wikis"),
        "workshop" => ("Gegenseitige Beurteilungen", "Workshops"),
        "choice" => ("Abstimmungen", "Choices"),
        "feedback" => ("Feedbacks", "Feedback activities"),
        "data" => ("Datenbanken", "Databases"),
        "chat" => ("Chats", "Chats"),
        "lti" => ("Externe Tools", "External tools"),
        "book" => ("Bücher", "Books"),
        "bigbluebuttonbn" => ("BigBlueButton-Räume", "BigBlueButton rooms"),
        "imscp" => ("IMS-Content-Pakete", "IMS content packages"),
        "survey" => ("Umfragen", "Surveys"),
        _ => {
            return (
                format!("Aktivitäten vom Typ „{module}“"),
                format!("Activities of type \"{module}\""),
            );
        }
    };
    (de.to_owned(), en.to_owned())
}

/// Says so when the activity was hidden from students in Moodle.
fn note_hidden(c: &mut Collector<'_>, a: &ActivityRef, title: &str) -> Result<(), ImportError> {
    let path = join(&a.directory, "module.xml").unwrap_or_default();
    if let Some(m) = c.xml(&path)?
        && m.int_at("visible") == Some(0)
    {
        c.note(
            Severity::Info,
            title,
            "course_import.was_hidden",
            "Die Aktivität war in Moodle für Teilnehmende verborgen.".into(),
            "The activity was hidden from participants in Moodle.".into(),
        );
    }
    Ok(())
}

fn use_all(c: &mut Collector<'_>, records: &[&FileRecord], title: &str) -> Vec<FileId> {
    records
        .iter()
        .filter_map(|r| files::use_file(c, r, title))
        .collect()
}

/// A resource: its main file (Moodle marks it with the highest sort order).
fn resource(c: &mut Collector<'_>, title: String, records: &[&FileRecord]) -> Option<ImportedItem> {
    let main = records
        .iter()
        .enumerate()
        .max_by_key(|(i, r)| (r.sortorder, std::cmp::Reverse(*i)))
        .map(|(_, r)| *r);
    let Some(main) = main else {
        c.note(
            Severity::Warning,
            &title,
            "course_import.resource_empty",
            "Die Datei-Aktivität enthält keine Datei; sie wird nicht übernommen.".into(),
            "The file activity holds no file; it is not brought over.".into(),
        );
        return None;
    };
    let file_id = files::use_file(c, main, &title)?;
    Some(ImportedItem::File { title, file_id })
}

fn link(c: &mut Collector<'_>, title: String, url: &str) -> Option<ImportedItem> {
    match safe_url(url) {
        Some(url) => Some(ImportedItem::Link { title, url }),
        None => {
            c.note(
                Severity::Warning,
                &title,
                "course_import.unsafe_url",
                format!(
                    "Die Adresse „{url}“ ist kein Web- oder Mail-Link; sie wird nicht übernommen."
                ),
                format!("The address \"{url}\" is not a web or mail link; it is not brought over."),
            );
            None
        }
    }
}

fn assignment(
    c: &mut Collector<'_>,
    el: &Element,
    title: String,
    records: &[FileRecord],
) -> ImportedItem {
    let area = |name: &str| files::in_area(records, "mod_assign", name);
    let mut instructions_html = files::rewrite(c, el.str_at("intro"), &area("intro"), &title);
    // Moodle 4.0+ has separate "activity instructions", shown only inside the assignment.
    let activity = el.str_at("activity");
    if !activity.is_empty() {
        let mut refs = area("activity");
        refs.extend(area("activityattachment"));
        let html = files::rewrite(c, activity, &refs, &title);
        if !instructions_html.is_empty() {
            instructions_html.push('\n');
        }
        instructions_html.push_str(&html);
    }
    let time = |name: &str| el.int_at(name).filter(|t| *t > 0);
    let grade = el
        .text_at("grade")
        .and_then(|g| g.trim().parse::<f64>().ok())
        .filter(|g| g.is_finite());
    if grade.is_some_and(|g| g < 0.0) {
        c.note(
            Severity::Info,
            &title,
            "course_import.scale_grading",
            "Die Bewertung mit einer Skala wird nicht übernommen.".into(),
            "Grading with a scale is not brought over.".into(),
        );
    }
    let file_ids = use_all(c, &area("introattachment"), &title);
    ImportedItem::Assignment {
        title,
        instructions_html,
        due_at: time("duedate"),
        cutoff_at: time("cutoffdate"),
        allow_from: time("allowsubmissionsfromdate"),
        max_points: grade.filter(|g| *g > 0.0),
        file_ids,
    }
}
