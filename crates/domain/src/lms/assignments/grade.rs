//! Grading: a grade with written feedback and a spoken feedback (a recording with its
//! transcript) and feedback files; releasing grades (all at once or one by one) and asking
//! for a resubmission. Completion by grade or pass is set when the student can see it.

use schulhof_authz::lms::sees_work_of;
use schulhof_store::lms::activities;
use schulhof_store::lms::assignments::grades::{self, GradeRow};
use schulhof_store::lms::assignments::{self as store, submissions};
use schulhof_store::lms::courses;
use schulhof_store::{AsConn, to_us};
use schulhof_types::{ActivityId, UserId};

use super::submit::owner_of;
use super::{Settings, check_upload};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::lms::notify::feedback_released;
use crate::{DomainError, Platform};

/// What a teacher enters for one student.
#[derive(Clone, Debug, Default)]
pub struct GradeInput {
    /// Points, a scale label, "pass" or "fail"; empty: feedback only.
    pub grade: String,
    pub feedback: String,
    /// The transcript of the spoken feedback.
    pub spoken_transcript: String,
    /// Release at once (the student sees it now).
    pub release: bool,
}

impl Platform {
    /// The assignment for grading `student`, a participant of its course.
    async fn for_grading(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        sees_work_of(&a.token, &ctx.course, student)?;
        let mut c = self.db.read().await?;
        let people = courses::participants(&mut c, a.token.instance(), ctx.course.id).await?;
        if !people.iter().any(|p| p.id == student) {
            return Err(DomainError::NotFound);
        }
        Ok(ctx)
    }

    /// Grades one student's work (and releases it with `input.release`).
    pub async fn lms_assignment_grade(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
        input: &GradeInput,
    ) -> Result<(), DomainError> {
        let inst = a.token.instance();
        let now = to_us(self.now());
        let ctx = self.for_grading(a, id, student).await?;
        let mut tx = self.db.begin().await?;
        let settings = Settings::of(store::get(&mut tx, inst, id).await?);
        let graded = settings.grade_of(&input.grade)?;
        let row = GradeRow {
            user: student,
            passed: graded.as_ref().map(|g| g.1),
            grade: graded.map(|g| g.0),
            feedback: crate::news::sanitize(&input.feedback),
            spoken_transcript: input.spoken_transcript.trim().to_owned(),
            graded_by: a.token.user(),
            graded_at: now,
            released_at: input.release.then_some(now),
        };
        grades::upsert(&mut tx, inst, id, &row).await?;
        if let Some(g) = grades::of_student(&mut tx, inst, id, student).await?
            && g.released_at.is_some()
        {
            complete_by_grade(&mut tx, &ctx, &g, now).await?;
            if g.released_at == Some(now) {
                let what = (id, "assignment", ctx.activity.title.as_str());
                feedback_released(&mut tx, inst, what, Some(student), now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a feedback file for `student`, or with `audio` sets the spoken feedback
    /// (replacing an earlier recording). Charged to the teacher's quota.
    pub async fn lms_assignment_add_feedback(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
        name: &str,
        bytes: Vec<u8>,
        audio: bool,
    ) -> Result<uuid::Uuid, DomainError> {
        self.for_grading(a, id, student).await?;
        let mut f = check_upload(name, bytes, audio)?;
        let blob = self
            .blobs
            .put(f.bytes.as_slice(), f.bytes.len() as u64)
            .await
            .map_err(crate::files::blob_error)?;
        f.row.blob_sha = blob.sha256;
        let inst = a.token.instance();
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, a, a.token.user().0, f.row.size)
            .await?;
        if grades::of_student(&mut tx, inst, id, student)
            .await?
            .is_none()
        {
            // Feedback may come before a grade: an empty, unreleased grade holds it.
            let empty = GradeRow {
                user: student,
                grade: None,
                passed: None,
                feedback: String::new(),
                spoken_transcript: String::new(),
                graded_by: a.token.user(),
                graded_at: now,
                released_at: None,
            };
            grades::upsert(&mut tx, inst, id, &empty).await?;
        }
        if audio {
            grades::delete_files(&mut tx, inst, id, student, "audio").await?;
        }
        grades::add_file(&mut tx, inst, id, student, &f.row, now).await?;
        tx.commit().await?;
        Ok(f.row.id)
    }

    /// Releases grades and feedback: of everyone graded, or of one student. Returns how
    /// many were released now.
    pub async fn lms_assignment_release(
        &self,
        a: &Actor,
        id: ActivityId,
        only: Option<UserId>,
    ) -> Result<usize, DomainError> {
        let ctx = self.assignment_for_edit(a, id).await?;
        let inst = a.token.instance();
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let released = grades::release(&mut tx, inst, id, only, now).await?;
        for g in grades::of_activity(&mut tx, inst, id).await? {
            if released.contains(&g.user) {
                complete_by_grade(&mut tx, &ctx, &g, now).await?;
            }
        }
        if !released.is_empty() {
            let what = (id, "assignment", ctx.activity.title.as_str());
            feedback_released(&mut tx, inst, what, only, now).await?;
        }
        tx.commit().await?;
        Ok(released.len())
    }

    /// Asks `student` (their group, for group work) to hand in again.
    pub async fn lms_assignment_request_resubmission(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
    ) -> Result<(), DomainError> {
        let inst = a.token.instance();
        let ctx = self.for_grading(a, id, student).await?;
        let mut tx = self.db.begin().await?;
        let settings = Settings::of(store::get(&mut tx, inst, id).await?);
        let (owner, _) = owner_of(&mut tx, &ctx, &settings, student).await?;
        let sub = submissions::of_owner(&mut tx, inst, id, owner)
            .await?
            .ok_or_else(|| DomainError::invalid("student", "Es liegt noch keine Abgabe vor."))?;
        submissions::set_status(&mut tx, inst, sub.id, "reopened").await?;
        if ctx.activity.completion == "submit" {
            activities::set_completed(&mut tx, inst, id, student, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Completion by the activity's rule once a grade is visible: "grade" when graded, "pass"
/// when passed (and cleared when a changed grade no longer passes).
async fn complete_by_grade(
    c: &mut impl AsConn,
    ctx: &ActivityCtx,
    g: &GradeRow,
    now: i64,
) -> Result<(), DomainError> {
    let done = match ctx.activity.completion.as_str() {
        "grade" => g.grade.is_some(),
        "pass" => g.passed == Some(true),
        _ => return Ok(()),
    };
    activities::set_completed(
        c,
        ctx.course.instance,
        ctx.activity.id,
        g.user,
        done.then_some(now),
    )
    .await?;
    Ok(())
}
