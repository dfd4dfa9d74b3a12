//! Moodle's file pool: `files.xml` describes every file record, `files/<ab>/<abcdef…>` holds
//! the content by SHA-1, and each section's or activity's `inforef.xml` lists the records it
//! uses. HTML refers to them as `@@PLUGINFILE@@/<filepath><filename>` within one file area.

use std::collections::HashMap;

use crate::collect::Collector;
use crate::entries::{join, percent_decode};
use crate::html::{replace_token_refs, strip_query};
use crate::model::{FileId, Severity, file_placeholder};
use crate::xml::Element;
use crate::{ImportError, entries};

/// One row of `files.xml` (folders, named ".", are left out).
#[derive(Debug, Clone)]
pub(crate) struct FileRecord {
    pub id: String,
    pub contenthash: String,
    pub component: String,
    pub filearea: String,
    pub filepath: String,
    pub filename: String,
    pub mimetype: String,
    pub sortorder: i64,
}

impl FileRecord {
    /// Where the content lies, if the hash is a well-formed SHA-1 (anything else could
    /// not have come from Moodle and is not looked up).
    pub fn content_path(&self) -> Option<String> {
        let h = &self.contenthash;
        (h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| format!("files/{}/{h}", &h[..2]))
    }
}

/// All file records by id.
pub(crate) fn read_pool(c: &Collector<'_>) -> Result<HashMap<String, FileRecord>, ImportError> {
    let Some(root) = c.xml("files.xml")? else {
        return Ok(HashMap::new());
    };
    let mut pool = HashMap::new();
    for f in root.children("file") {
        let filename = f.str_at("filename");
        if filename.is_empty() || filename == "." {
            continue;
        }
        let id = f.attr("id").unwrap_or_default().trim().to_owned();
        pool.insert(
            id.clone(),
            FileRecord {
                id,
                contenthash: f.str_at("contenthash").to_owned(),
                component: f.str_at("component").to_owned(),
                filearea: f.str_at("filearea").to_owned(),
                filepath: f.str_at("filepath").to_owned(),
                filename: filename.to_owned(),
                mimetype: f.str_at("mimetype").to_owned(),
                sortorder: f.int_at("sortorder").unwrap_or(0),
            },
        );
    }
    Ok(pool)
}

/// The file records `<dir>/inforef.xml` lists, in its order.
pub(crate) fn referenced(
    c: &Collector<'_>,
    dir: &str,
    pool: &HashMap<String, FileRecord>,
) -> Result<Vec<FileRecord>, ImportError> {
    let Some(path) = join(dir, "inforef.xml") else {
        return Ok(Vec::new());
    };
    let Some(root) = c.xml(&path)? else {
        return Ok(Vec::new());
    };
    let ids = root
        .child("fileref")
        .into_iter()
        .flat_map(|r| r.children("file"))
        .map(|f: &Element| f.str_at("id"));
    Ok(ids.filter_map(|id| pool.get(id).cloned()).collect())
}

/// The records of `component`/`area` among `records`, sorted by folder and name.
pub(crate) fn in_area<'r>(
    records: &'r [FileRecord],
    component: &str,
    area: &str,
) -> Vec<&'r FileRecord> {
    let mut v: Vec<_> = records
        .iter()
        .filter(|r| r.component == component && r.filearea == area)
        .collect();
    v.sort_by(|a, b| (&a.filepath, &a.filename).cmp(&(&b.filepath, &b.filename)));
    v
}

/// Registers `record` as a course file; reports it (at `location`) if its content is missing.
pub(crate) fn use_file(
    c: &mut Collector<'_>,
    record: &FileRecord,
    location: &str,
) -> Option<FileId> {
    let id = record.content_path().and_then(|path| {
        let mime = Some(record.mimetype.as_str()).filter(|m| !m.is_empty());
        c.file(
            &format!("moodle:{}", record.id),
            &path,
            &record.filename,
            mime,
        )
    });
    if id.is_none() {
        c.note(
            Severity::Warning,
            location,
            "course_import.file_missing",
            format!("Die Datei „{}“ fehlt in der Sicherung.", record.filename),
            format!(
                "The file \"{}\" is missing from the backup.",
                record.filename
            ),
        );
    }
    id
}

/// `html` with `@@PLUGINFILE@@` references into the given areas replaced by placeholders.
pub(crate) fn rewrite(
    c: &mut Collector<'_>,
    html: &str,
    records: &[&FileRecord],
    location: &str,
) -> String {
    replace_token_refs(html, "@@PLUGINFILE@@", |reference| {
        let decoded = percent_decode(strip_query(reference));
        let full = if decoded.starts_with('/') {
            decoded
        } else {
            format!("/{decoded}")
        };
        let (dir, name) = (
            &full[..=full.rfind('/').unwrap_or(0)],
            entries::file_name(&full),
        );
        let found = records
            .iter()
            .find(|r| r.filepath == dir && r.filename == name);
        let id = match found {
            Some(r) => use_file(c, r, location),
            None => {
                c.note(
                    Severity::Warning,
                    location,
                    "course_import.reference_missing",
                    format!("Der Verweis auf „{name}“ zeigt auf keine Datei der Sicherung."),
                    format!("The reference to \"{name}\" points to no file in the backup."),
                );
                None
            }
        };
        id.map(file_placeholder)
    })
}
