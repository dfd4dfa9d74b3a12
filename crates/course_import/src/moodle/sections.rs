//! `sections/section_<id>/section.xml`: number, name and summary of each course section.

use std::collections::HashMap;

use super::backup::SectionRef;
use super::files::{self, FileRecord};
use crate::ImportError;
use crate::collect::Collector;
use crate::entries::join;
use crate::model::{ImportedSection, Severity};

/// A section with the Moodle id its activities refer to.
pub(crate) struct Section {
    pub id: String,
    pub number: i64,
    pub section: ImportedSection,
}

/// All sections in course order (by section number, as Moodle shows them).
pub(crate) fn read(
    c: &mut Collector<'_>,
    refs: &[SectionRef],
    pool: &HashMap<String, FileRecord>,
) -> Result<Vec<Section>, ImportError> {
    let mut out = Vec::with_capacity(refs.len());
    for (pos, r) in refs.iter().enumerate() {
        out.push(read_one(c, r, pos, pool)?);
    }
    out.sort_by_key(|s| s.number);
    Ok(out)
}

fn read_one(
    c: &mut Collector<'_>,
    r: &SectionRef,
    pos: usize,
    pool: &HashMap<String, FileRecord>,
) -> Result<Section, ImportError> {
    let path = join(&r.directory, "section.xml").unwrap_or_default();
    let xml = c.xml(&path)?;
    let fallback_number = i64::try_from(pos).unwrap_or(i64::MAX);
    let Some(xml) = xml else {
        let title = if r.title.is_empty() {
            default_title(fallback_number)
        } else {
            r.title.clone()
        };
        c.note(
            Severity::Warning,
            &title,
            "course_import.section_missing",
            format!("Die Beschreibung des Abschnitts fehlt in der Sicherung ({path})."),
            format!("The section's description is missing from the backup ({path})."),
        );
        return Ok(Section {
            id: r.id.clone(),
            number: fallback_number,
            section: ImportedSection {
                title,
                summary_html: String::new(),
                items: Vec::new(),
            },
        });
    };
    let number = xml.int_at("number").unwrap_or(fallback_number);
    let title = match xml.str_at("name") {
        "" => default_title(number),
        name => name.to_owned(),
    };
    if xml.int_at("visible") == Some(0) {
        c.note(
            Severity::Info,
            &title,
            "course_import.was_hidden",
            "Der Abschnitt war in Moodle für Teilnehmende verborgen.".into(),
            "The section was hidden from participants in Moodle.".into(),
        );
    }
    let records = files::referenced(c, &r.directory, pool)?;
    let area = files::in_area(&records, "course", "section");
    let summary = xml.text_at("summary").unwrap_or_default().trim();
    let summary_html = files::rewrite(c, summary, &area, &title);
    Ok(Section {
        id: r.id.clone(),
        number,
        section: ImportedSection {
            title,
            summary_html,
            items: Vec::new(),
        },
    })
}

/// What Moodle shows for an unnamed section (German, the platform's default language).
pub(crate) fn default_title(number: i64) -> String {
    if number == 0 {
        "Allgemeines".to_owned()
    } else {
        format!("Abschnitt {number}")
    }
}
