//! `moodle_backup.xml`: which backup this is, and the lists of sections and activities with
//! the folders that hold them.

use crate::ImportError;
use crate::xml::Element;

/// The first backup version of Moodle 2.0 (the "moodle2" format this reader knows).
const FIRST_MOODLE2_VERSION: i64 = 2_010_072_300;

pub(crate) struct Backup {
    pub course_name: String,
    pub release: String,
    pub sections: Vec<SectionRef>,
    pub activities: Vec<ActivityRef>,
}

pub(crate) struct SectionRef {
    pub id: String,
    pub title: String,
    pub directory: String,
}

pub(crate) struct ActivityRef {
    pub section_id: String,
    pub module: String,
    pub title: String,
    pub directory: String,
}

/// Reads the parsed `moodle_backup.xml`; refuses formats and versions it does not know.
pub(crate) fn read(root: &Element) -> Result<Backup, ImportError> {
    let file = super::MANIFEST;
    let info = root
        .child("information")
        .ok_or_else(|| ImportError::InvalidContent {
            file: file.into(),
            message: "das Element <information> fehlt".into(),
        })?;
    let format = info.str_at("details/detail/format");
    if format != "moodle2" {
        return Err(ImportError::UnsupportedVersion {
            format: "Moodle-Sicherung",
            version: if format.is_empty() {
                "ohne Formatangabe".into()
            } else {
                format!("Format {format}")
            },
        });
    }
    let version = info.int_at("backup_version");
    if version.is_none_or(|v| v < FIRST_MOODLE2_VERSION) {
        return Err(ImportError::UnsupportedVersion {
            format: "Moodle-Sicherung",
            version: info.str_at("backup_version").to_owned(),
        });
    }
    let contents = info.child("contents");
    let sections = contents
        .and_then(|c| c.child("sections"))
        .map(|s| s.children("section").map(section_ref).collect())
        .unwrap_or_default();
    let activities = contents
        .and_then(|c| c.child("activities"))
        .map(|s| s.children("activity").map(activity_ref).collect())
        .unwrap_or_default();
    let release = match info.str_at("moodle_release") {
        "" => info.str_at("backup_release").to_owned(),
        r => r.to_owned(),
    };
    Ok(Backup {
        course_name: info.str_at("original_course_fullname").to_owned(),
        release,
        sections,
        activities,
    })
}

fn section_ref(s: &Element) -> SectionRef {
    SectionRef {
        id: s.str_at("sectionid").to_owned(),
        title: s.str_at("title").to_owned(),
        directory: s.str_at("directory").to_owned(),
    }
}

fn activity_ref(a: &Element) -> ActivityRef {
    ActivityRef {
        section_id: a.str_at("sectionid").to_owned(),
        module: a.str_at("modulename").to_owned(),
        title: a.str_at("title").to_owned(),
        directory: a.str_at("directory").to_owned(),
    }
}
