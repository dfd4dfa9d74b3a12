//! Writing a planned import: the file contents go to the blob store first (content-addressed,
//! so a failed import leaves only unreferenced content the collector removes), then every row
//! in one transaction, with the quota checked inside it.

use std::collections::HashMap;

use schulhof_course_import::{FileId, ImportedCourse};
use schulhof_store::files::SHARED_OWNER;
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::lms::{assignments, sections};
use schulhof_store::{Tx, to_us};

use super::plan::{PlanItem, PlanSection, plan};
use super::{ImportFailure, ImportOutcome};
use crate::identity::Actor;
use crate::lms::{CourseCtx, SectionRow};
use crate::{DomainError, Platform};

/// Bytes an import stores: every activity file counts (a file used twice, twice).
pub(super) fn charged_bytes(course: &ImportedCourse, sections: &[PlanSection]) -> u64 {
    sections
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.files)
        .filter_map(|(_, f)| course.file(*f))
        .map(|f| f.size)
        .sum()
}

impl Platform {
    pub(super) async fn write_import(
        &self,
        a: &Actor,
        ctx: &CourseCtx,
        course: &ImportedCourse,
        hidden: bool,
    ) -> Result<ImportOutcome, ImportFailure> {
        let plan = plan(course);
        let bytes = charged_bytes(course, &plan.sections);
        // Refused before a gigabyte goes to the store; checked again where it counts.
        {
            let mut tx = self.db.begin().await?;
            self.check_quota_in(&mut tx, a, SHARED_OWNER, bytes as i64)
                .await?;
        }
        let shas = self.store_contents(course, &plan.sections).await?;
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, SHARED_OWNER, bytes as i64)
            .await?;
        let mut out = ImportOutcome {
            sections: 0,
            activities: 0,
            files: 0,
            bytes,
        };
        for s in &plan.sections {
            let row = SectionRow {
                id: s.id,
                course_id: ctx.row.id,
                position: 0,
                title: s.title.clone(),
                summary: s.summary.clone(),
                hidden,
                visible_from: None,
            };
            sections::insert(&mut tx, ctx.facts.instance, &row).await?;
            out.sections += 1;
            for item in &s.items {
                out.files += self
                    .write_item(&mut tx, ctx, s, item, course, &shas)
                    .await?;
                out.activities += 1;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Stores each archive file the plan uses once; returns their content ids.
    async fn store_contents(
        &self,
        course: &ImportedCourse,
        sections: &[PlanSection],
    ) -> Result<HashMap<FileId, String>, DomainError> {
        let mut shas = HashMap::new();
        for (_, id) in sections
            .iter()
            .flat_map(|s| &s.items)
            .flat_map(|i| &i.files)
        {
            if shas.contains_key(id) {
                continue;
            }
            let bytes = course.file_bytes(*id).unwrap_or_default();
            let blob = self
                .blobs
                .put(bytes, bytes.len() as u64)
                .await
                .map_err(crate::files::blob_error)?;
            shas.insert(*id, blob.sha256);
        }
        Ok(shas)
    }

    /// One activity with its files and (for assignments) settings; returns the file count.
    async fn write_item(
        &self,
        tx: &mut Tx,
        ctx: &CourseCtx,
        s: &PlanSection,
        item: &PlanItem,
        course: &ImportedCourse,
        shas: &HashMap<FileId, String>,
    ) -> Result<usize, DomainError> {
        let inst = ctx.facts.instance;
        let now = to_us(self.now());
        let n = NewActivity {
            id: item.id,
            course_id: ctx.row.id,
            section_id: s.id,
            kind: item.kind,
            title: &item.title,
            body: &item.body,
            url: item.url.as_deref(),
            transcript: "",
            hidden: false,
            visible_from: None,
            restricted: false,
            completion: item.completion,
            due_at: item.due_at,
            settings: "{}",
            now,
        };
        activities::insert(tx, inst, &n).await?;
        if let Some(row) = &item.assignment {
            assignments::upsert(tx, inst, row).await?;
        }
        for (row_id, file) in &item.files {
            let (Some(f), Some(sha)) = (course.file(*file), shas.get(file)) else {
                continue;
            };
            // A picture of the text: the page's own (not listed as a download).
            let picture = item.images.iter().find(|(r, _)| r == row_id);
            let row = FileRow {
                id: *row_id,
                activity_id: item.id,
                role: match picture {
                    Some(_) => crate::lms::IMAGE_ROLE,
                    None => "material",
                }
                .into(),
                name: f.name.clone(),
                mime: picture.map_or_else(|| f.mime.clone(), |(_, mime)| (*mime).to_owned()),
                size: f.size as i64,
                blob_sha: sha.clone(),
                node_id: None,
                position: 0,
                lang: None,
            };
            outline::insert_file(tx, inst, &row, now).await?;
        }
        Ok(item.files.len())
    }
}
