//! Moodle 2.0+ backups (`.mbz`): `moodle_backup.xml` lists the sections and activities, each in
//! a folder of its own; files lie in a content-addressed pool.

mod activities;
mod backup;
mod files;
mod sections;

use crate::ImportError;
use crate::collect::{Collector, Parts};
use crate::model::{ImportedSection, Severity, Source};

pub(crate) const MANIFEST: &str = "moodle_backup.xml";

pub(crate) fn read(mut c: Collector<'_>, zip: bool) -> Result<Parts, ImportError> {
    let root = c.required_xml(MANIFEST, "moodle_backup.xml")?;
    let backup = backup::read(&root)?;
    let pool = files::read_pool(&c)?;
    let mut sections = sections::read(&mut c, &backup.sections, &pool)?;
    for a in &backup.activities {
        let Some(item) = activities::read(&mut c, a, &pool)? else {
            continue;
        };
        let target = match sections.iter().position(|s| s.id == a.section_id) {
            Some(i) => i,
            None => orphan_section(&mut c, &mut sections, &a.title),
        };
        sections[target].section.items.push(item);
    }
    let name = match backup.course_name.as_str() {
        "" => "Moodle-Kurs".to_owned(),
        n => n.to_owned(),
    };
    let source = Source::Moodle {
        release: backup.release,
        zip,
    };
    let sections: Vec<ImportedSection> = sections.into_iter().map(|s| s.section).collect();
    Ok(c.finish(source, name, sections))
}

/// The index of the section that takes activities whose section is not in the backup (an
/// activity backup has none at all), created on first use.
fn orphan_section(
    c: &mut Collector<'_>,
    sections: &mut Vec<sections::Section>,
    title: &str,
) -> usize {
    const ORPHAN_ID: &str = "\0orphans";
    if let Some(i) = sections.iter().position(|s| s.id == ORPHAN_ID) {
        return i;
    }
    if !sections.is_empty() {
        c.note(
            Severity::Warning,
            title,
            "course_import.section_unknown",
            "Der Abschnitt der Aktivität fehlt in der Sicherung; sie steht unter „Weitere Inhalte“."
                .into(),
            "The activity's section is missing from the backup; it is listed under \"Further content\"."
                .into(),
        );
    }
    sections.push(sections::Section {
        id: ORPHAN_ID.to_owned(),
        number: i64::MAX,
        section: ImportedSection {
            title: "Weitere Inhalte".to_owned(),
            summary_html: String::new(),
            items: Vec::new(),
        },
    });
    sections.len() - 1
}
