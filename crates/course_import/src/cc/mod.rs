//! IMS Common Cartridge 1.0–1.3 (`.imscc`): the manifest's organisation gives the structure,
//! its resources the content.

mod manifest;
mod resources;

pub(crate) use manifest::MANIFEST;

use crate::ImportError;
use crate::collect::{Collector, Parts};
use crate::model::{ImportedItem, ImportedSection, Severity, Source};
use manifest::OrgItem;

/// Title of the section that takes items standing directly at the top level.
const LOOSE_TITLE: &str = "Allgemeines";

pub(crate) fn read(mut c: Collector<'_>) -> Result<Parts, ImportError> {
    let root = c.required_xml(MANIFEST, "imsmanifest.xml")?;
    let m = manifest::read(&root, c.entries)?;
    let mut sections: Vec<ImportedSection> = Vec::new();
    // Consecutive top-level items with content share one untitled section, so the order of
    // the cartridge is kept.
    let mut loose = false;
    for top in &m.items {
        if top.resource.is_some() {
            if !loose {
                sections.push(section(LOOSE_TITLE));
                loose = true;
            }
            let last = sections.len() - 1;
            collect(&mut c, &m, top, &mut sections[last].items, 0)?;
        } else {
            loose = false;
            let mut s = section(&title_or_default(&top.title));
            for child in &top.children {
                collect(&mut c, &m, child, &mut s.items, 1)?;
            }
            sections.push(s);
        }
    }
    let name = match m.title.as_str() {
        "" => "Common-Cartridge-Kurs".to_owned(),
        t => t.to_owned(),
    };
    let source = Source::CommonCartridge { version: m.version };
    Ok(c.finish(source, name, sections))
}

fn section(title: &str) -> ImportedSection {
    ImportedSection {
        title: title.to_owned(),
        summary_html: String::new(),
        items: Vec::new(),
    }
}

fn title_or_default(title: &str) -> String {
    match title {
        "" => "Ohne Titel".to_owned(),
        t => t.to_owned(),
    }
}

/// Appends the item for `it` and (flattened, in order) those of its descendants. Sections
/// have one level, so deeper folders are dissolved and reported.
fn collect(
    c: &mut Collector<'_>,
    m: &manifest::Manifest,
    it: &OrgItem,
    out: &mut Vec<ImportedItem>,
    depth: usize,
) -> Result<(), ImportError> {
    match it.resource.as_deref() {
        Some(id) => match m.resources.get(id) {
            Some(r) => {
                let title = match it.title.as_str() {
                    "" => r.href.as_deref().map_or("", crate::entries::file_name),
                    t => t,
                };
                out.extend(resources::item(c, r, title)?);
            }
            None => c.note(
                Severity::Warning,
                &it.title,
                "course_import.resource_unknown",
                format!("Das Element verweist auf die unbekannte Ressource „{id}“."),
                format!("The item refers to the unknown resource \"{id}\"."),
            ),
        },
        None if depth > 0 && !it.children.is_empty() => c.note(
            Severity::Info,
            &it.title,
            "course_import.folder_flattened",
            "Der Unterordner wurde aufgelöst; seine Inhalte stehen direkt im Abschnitt.".into(),
            "The subfolder was dissolved; its content is listed directly in the section.".into(),
        ),
        None => {}
    }
    for child in &it.children {
        collect(c, m, child, out, depth + 1)?;
    }
    Ok(())
}
