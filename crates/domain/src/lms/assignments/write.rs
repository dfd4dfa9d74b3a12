//! Creating and changing an assignment, its instruction files (the audio instruction among
//! them) and extensions per student.

use schulhof_authz::lms::sees_work_of;
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::assignments::{self as store, AssignmentRow};
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::to_us;
use schulhof_types::{ActivityId, CourseId, SectionId, UserId};

use super::{AssignmentInput, Grading, check_upload};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

const COMPLETIONS: &[&str] = &["submit", "grade", "pass"];

/// The checked settings row and activity fields of `input`.
fn checked(id: ActivityId, i: &AssignmentInput) -> Result<(AssignmentRow, String), DomainError> {
    let title = i.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(DomainError::invalid(
            "title",
            "Bitte einen Titel (bis 200 Zeichen) angeben.",
        ));
    }
    if i.types.is_empty() {
        return Err(DomainError::invalid(
            "types",
            "Bitte mindestens eine Abgabeform wählen.",
        ));
    }
    if !COMPLETIONS.contains(&i.completion.as_str()) {
        return Err(DomainError::invalid(
            "completion",
            "Unbekannte Abschlussbedingung.",
        ));
    }
    let us = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(to_us);
    let (from, due, cut) = (us(i.allow_from), us(i.due_at), us(i.cutoff_at));
    if matches!((from, due), (Some(f), Some(d)) if d < f) {
        return Err(DomainError::invalid(
            "due",
            "Die Frist liegt vor dem Beginn.",
        ));
    }
    if matches!((due.or(from), cut), (Some(d), Some(c)) if c < d) {
        return Err(DomainError::invalid(
            "cutoff",
            "Der Annahmeschluss liegt vor der Frist.",
        ));
    }
    let (grading, max, pass, scale) = grading_row(&i.grading)?;
    let types: Vec<&str> = i.types.iter().map(|t| t.as_str()).collect();
    let row = AssignmentRow {
        activity_id: id,
        allow_from: from,
        cutoff_at: cut,
        types: types.join(","),
        group_mode: i.group_mode,
        grading: grading.into(),
        max_points: max,
        pass_points: pass,
        scale,
    };
    Ok((row, title.to_owned()))
}

/// The stored form of a grading: (kind, max points, pass mark or index, scale labels).
fn grading_row(g: &Grading) -> Result<(&'static str, i64, i64, String), DomainError> {
    Ok(match g {
        Grading::Points { max, pass } if (1..=1000).contains(max) && (0..=*max).contains(pass) => {
            ("points", *max, *pass, String::new())
        }
        Grading::Scale { labels, pass_index } => {
            let labels: Vec<&str> = labels
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect();
            if labels.len() < 2 || *pass_index >= labels.len() {
                return Err(DomainError::invalid(
                    "scale",
                    "Die Skala braucht mindestens zwei Stufen.",
                ));
            }
            ("scale", 0, *pass_index as i64, labels.join("\n"))
        }
        Grading::PassFail => ("passfail", 0, 0, String::new()),
        Grading::Points { .. } => {
            return Err(DomainError::invalid(
                "points",
                "Punkte: höchstens 1 bis 1000.",
            ));
        }
    })
}

impl Platform {
    /// Creates an assignment at the end of `section` of a course the caller edits.
    pub async fn lms_assignment_create(
        &self,
        a: &Actor,
        course: CourseId,
        section: SectionId,
        input: &AssignmentInput,
    ) -> Result<ActivityId, DomainError> {
        let ctx = self.lms_course_for_edit(a, course).await?;
        let id = ActivityId::new();
        let (row, title) = checked(id, input)?;
        let body = instructions_text(&input.instructions, id);
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        if store::section_course(&mut tx, inst, section).await? != Some(ctx.row.id) {
            return Err(DomainError::NotFound);
        }
        let n = NewActivity {
            id,
            course_id: ctx.row.id,
            section_id: section,
            kind: "assignment",
            title: &title,
            body: &body,
            url: None,
            transcript: input.transcript.trim(),
            hidden: input.hidden,
            visible_from: None,
            restricted: false,
            completion: &input.completion,
            due_at: input.due_at.map(to_us),
            settings: "{}",
            now: to_us(self.now()),
        };
        activities::insert(&mut tx, inst, &n).await?;
        store::upsert(&mut tx, inst, &row).await?;
        crate::lms::notify::activity_saved(&mut tx, inst, id, true, n.now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The assignment `id` for its editor; `NotFound` when it is no assignment.
    pub(crate) async fn assignment_for_edit(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        if ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        Ok(ctx)
    }

    /// Changes an assignment (its place, visibility dates and restriction stay).
    pub async fn lms_assignment_update(
        &self,
        a: &Actor,
        id: ActivityId,
        input: &AssignmentInput,
    ) -> Result<(), DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        let (row, title) = checked(id, input)?;
        let body = instructions_text(&input.instructions, id);
        let old = &ctx.activity;
        let n = NewActivity {
            id,
            course_id: old.course_id,
            section_id: old.section_id,
            kind: "assignment",
            title: &title,
            body: &body,
            url: None,
            transcript: input.transcript.trim(),
            hidden: input.hidden,
            visible_from: old.visible_from,
            restricted: old.restricted,
            completion: &input.completion,
            due_at: input.due_at.map(to_us),
            settings: &old.settings,
            now: to_us(self.now()),
        };
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        activities::update(&mut tx, inst, &n).await?;
        store::upsert(&mut tx, inst, &row).await?;
        crate::lms::notify::activity_saved(&mut tx, inst, id, false, n.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an instruction file, or with `audio` sets the audio instruction (replacing an
    /// earlier one). Charged to the caller's quota.
    pub async fn lms_assignment_add_instruction(
        &self,
        a: &Actor,
        id: ActivityId,
        name: &str,
        bytes: Vec<u8>,
        audio: bool,
    ) -> Result<uuid::Uuid, DomainError> {
        self.assignment_for_edit(a, id).await?;
        let f = check_upload(name, bytes, audio)?;
        let blob = self
            .blobs
            .put(f.bytes.as_slice(), f.bytes.len() as u64)
            .await
            .map_err(crate::files::blob_error)?;
        let row = FileRow {
            id: f.row.id,
            activity_id: id,
            role: if audio {
                "instruction_audio"
            } else {
                "material"
            }
            .into(),
            name: f.row.name,
            mime: f.row.mime,
            size: f.row.size,
            blob_sha: blob.sha256,
            node_id: None,
            position: 0,
            lang: None,
        };
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, a.token.user().0, row.size)
            .await?;
        if audio {
            outline::delete_role(&mut tx, inst, id, "instruction_audio").await?;
        }
        outline::insert_file(&mut tx, inst, &row, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// Removes an instruction file.
    pub async fn lms_assignment_remove_instruction(
        &self,
        a: &Actor,
        id: ActivityId,
        file: uuid::Uuid,
    ) -> Result<(), DomainError> {
        self.assignment_for_edit(a, id).await?;
        let inst = a.token.instance();
        let mut c = self.db.begin().await?;
        if !outline::delete_file(&mut c, inst, id, file).await? {
            return Err(DomainError::NotFound);
        }
        c.commit().await?;
        Ok(())
    }

    /// Gives `student` a later due date (and cut-off), or with `None` takes it back.
    pub async fn lms_assignment_set_extension(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
        due: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        sees_work_of(&a.token, &ctx.course, student)?;
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let participants =
            schulhof_store::lms::courses::participants(&mut tx, inst, ctx.course.id).await?;
        if !participants.iter().any(|p| p.id == student) {
            return Err(DomainError::NotFound);
        }
        store::set_extension(&mut tx, inst, id, student, due.map(to_us)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The instructions as stored: the page rules, so the assignment's own pictures (brought
/// in by a course import) stay; anything else as the news rules.
fn instructions_text(html: &str, id: ActivityId) -> String {
    crate::lms::page_text::sanitize(html, id)
}
