//! "Download all submissions" as one ZIP (a folder per student, named after them) and the
//! way back: a ZIP of feedback files, each put to the student of its folder, with a report
//! of what matched no student.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use schulhof_store::lms::PersonRow;
use schulhof_store::lms::assignments::{self as store, submissions};
use schulhof_store::lms::courses;
use schulhof_types::{ActivityId, UserId};
use serde::Serialize;
use tokio::io::AsyncReadExt;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::{MAX_FILE, MAX_ZIP, Settings, takes_file};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// What an uploaded feedback ZIP did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ZipReport {
    /// Files given to a student.
    pub matched: usize,
    /// Paths whose folder is no participant's, or whose file could not be read or would be
    /// refused (empty, too large, a name not allowed).
    pub unmatched: Vec<String>,
}

/// A student's folder: "Lastname Firstname (login)", without characters a file system or
/// a ZIP path would misread.
pub fn folder_of(p: &PersonRow) -> String {
    format!("{} {} ({})", p.last_name, p.first_name, p.login)
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn zip_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::invalid("zip", format!("Die ZIP-Datei ist nicht lesbar: {e}"))
}

impl Platform {
    /// Every submission of an assignment the caller edits as a ZIP: a folder per student
    /// who handed in, with their (or their group's) text and files.
    pub async fn lms_assignment_zip(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<Vec<u8>, DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let settings = Settings::of(store::get(&mut c, inst, id).await?);
        let people = courses::participants(&mut c, inst, ctx.course.id).await?;
        let mut by_owner: HashMap<Uuid, Vec<submissions::FileRow>> = HashMap::new();
        for (owner, f) in submissions::files_of_activity(&mut c, inst, id).await? {
            by_owner.entry(owner).or_default().push(f);
        }
        // A constant number of statements, whatever the number of participants: every
        // submission and (in group mode) every member's group at once.
        let subs: HashMap<Uuid, submissions::SubmissionRow> =
            submissions::of_activity(&mut c, inst, id)
                .await?
                .into_iter()
                .map(|s| (s.owner_id, s))
                .collect();
        let groups = match settings.group_mode {
            true => store::member_groups(&mut c, inst, ctx.course.id).await?,
            false => HashMap::new(),
        };
        drop(c);
        let mut out = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let mut total = 0_u64;
        for p in &people {
            let owner = groups.get(&p.id).map_or(p.id.0, |g| g.0);
            let Some(sub) = subs.get(&owner) else {
                continue;
            };
            let folder = folder_of(p);
            out.add_directory(format!("{folder}/"), opts)
                .map_err(zip_error)?;
            if !sub.text.is_empty() {
                out.start_file(format!("{folder}/Abgabetext.txt"), opts)
                    .map_err(zip_error)?;
                out.write_all(sub.text.as_bytes()).map_err(zip_error)?;
            }
            let mut used = std::collections::HashSet::new();
            for f in by_owner.get(&owner).map(Vec::as_slice).unwrap_or_default() {
                total += f.size.max(0) as u64;
                if total > MAX_ZIP {
                    return Err(DomainError::invalid(
                        "zip",
                        "Zu viele Daten für eine ZIP-Datei (höchstens 200 MB).",
                    ));
                }
                let mut name = f.name.clone();
                if !used.insert(name.clone()) {
                    name = format!("{}-{}", &f.id.simple().to_string()[..8], f.name);
                }
                let mut r = self
                    .blobs
                    .open_read(&f.blob_sha)
                    .await
                    .map_err(crate::files::blob_error)?;
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes)
                    .await
                    .map_err(|e| DomainError::Internal(e.to_string()))?;
                out.start_file(format!("{folder}/{name}"), opts)
                    .map_err(zip_error)?;
                out.write_all(&bytes).map_err(zip_error)?;
            }
        }
        let cursor = out.finish().map_err(zip_error)?;
        Ok(cursor.into_inner())
    }

    /// Feedback files from a ZIP: each file in a folder named as in the download goes to
    /// that student (unreleased until the teacher releases).
    pub async fn lms_assignment_feedback_zip(
        &self,
        a: &Actor,
        id: ActivityId,
        bytes: Vec<u8>,
    ) -> Result<ZipReport, DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        if bytes.len() as u64 > MAX_ZIP {
            return Err(DomainError::invalid(
                "zip",
                "Die ZIP-Datei ist zu groß (höchstens 200 MB).",
            ));
        }
        let people = {
            let mut c = self.db.read().await?;
            courses::participants(&mut c, a.token.instance(), ctx.course.id).await?
        };
        let folders: HashMap<String, UserId> =
            people.iter().map(|p| (folder_of(p), p.id)).collect();
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        let mut report = ZipReport::default();
        let mut found = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(zip_error)?;
            if entry.is_dir() {
                continue;
            }
            let path = entry.name().map_err(zip_error)?.into_owned();
            let student = path.split_once('/').and_then(|(folder, rest)| {
                let name = rest.rsplit('/').next().unwrap_or(rest);
                folders.get(folder).map(|s| (*s, name.to_owned()))
            });
            let Some((student, name)) = student.filter(|_| entry.size() <= MAX_FILE) else {
                report.unmatched.push(path);
                continue;
            };
            let mut content = Vec::new();
            // A file that would be refused (empty, a name not allowed) is named here, not
            // found out while storing, when files before it are already stored.
            if entry
                .by_ref()
                .take(MAX_FILE)
                .read_to_end(&mut content)
                .is_err()
                || !takes_file(&name, &content)
            {
                report.unmatched.push(path);
                continue;
            }
            found.push((student, name, content));
        }
        // All or nothing: the files together must fit before the first is stored, so a
        // full quota leaves no student with part of the feedback.
        let total: usize = found.iter().map(|f| f.2.len()).sum();
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, a.token.user().0, total as i64)
            .await?;
        drop(tx);
        for (student, name, content) in found {
            self.lms_assignment_add_feedback(a, id, student, &name, content, false)
                .await?;
            report.matched += 1;
        }
        Ok(report)
    }
}
