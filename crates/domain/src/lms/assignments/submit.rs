//! The student's side: the assignment with their own work, and handing in. Saving is
//! handing in: there is no draft. Work may change until the cut-off or until it is
//! returned; after a resubmission was asked for it may be handed in again.

use schulhof_authz::lms::sees_work_of;
use schulhof_store::lms::activities;
use schulhof_store::lms::assignments as store;
use schulhof_store::lms::assignments::grades;
use schulhof_store::lms::assignments::submissions::{self, FileRow, SubmissionRow};
use schulhof_store::lms::outline::{self, FileRow as ActivityFile};
use schulhof_store::{AsConn, to_us};
use schulhof_types::{ActivityId, UserId};
use uuid::Uuid;

use super::{Settings, StudentWork, SubmissionType, WorkFile, WorkState, check_upload};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

/// An assignment as its page shows it: the activity, settings, instruction files and — for
/// a participant — their own work.
#[derive(Clone, Debug)]
pub struct AssignmentPage {
    pub ctx: ActivityCtx,
    pub settings: Settings,
    pub files: Vec<ActivityFile>,
    pub work: Option<StudentWork>,
}

/// What a student hands in at once: text (replacing the earlier text) and files.
#[derive(Debug, Default)]
pub struct HandIn {
    pub text: Option<String>,
    /// (file name, content, whether it is a recording).
    pub files: Vec<(String, Vec<u8>, bool)>,
}

/// The student or group whose submission counts for `student`.
pub(crate) async fn owner_of(
    c: &mut impl AsConn,
    ctx: &ActivityCtx,
    settings: &Settings,
    student: UserId,
) -> Result<(Uuid, bool), DomainError> {
    if settings.group_mode
        && let Some(g) = store::member_group(c, ctx.course.instance, ctx.course.id, student).await?
    {
        return Ok((g.0, true));
    }
    Ok((student.0, false))
}

/// One student's work; `released_only`: hide an unreleased grade (the student's view).
pub(crate) async fn work_of(
    c: &mut impl AsConn,
    ctx: &ActivityCtx,
    settings: &Settings,
    student: UserId,
    released_only: bool,
    now: i64,
) -> Result<StudentWork, DomainError> {
    let inst = ctx.course.instance;
    let id = ctx.activity.id;
    let (owner, _) = owner_of(c, ctx, settings, student).await?;
    let sub = submissions::of_owner(c, inst, id, owner).await?;
    let files = match &sub {
        Some(s) => submissions::files(c, inst, s.id).await?,
        None => Vec::new(),
    };
    let grade = grades::of_student(c, inst, id, student)
        .await?
        .filter(|g| !released_only || g.released_at.is_some());
    let feedback_files = match &grade {
        Some(_) => grades::files(c, inst, id, student).await?,
        None => Vec::new(),
    };
    let extension = store::extension(c, inst, id, student).await?;
    let due_at = extension.or(ctx.activity.due_at);
    let cutoff_at = settings
        .cutoff_at
        .map(|cut| extension.map_or(cut, |e| e.max(cut)));
    let state = WorkState::of(sub.as_ref(), grade.as_ref());
    let open = settings.allow_from.is_none_or(|f| now >= f) && cutoff_at.is_none_or(|c| now <= c);
    Ok(StudentWork {
        activity: id,
        student,
        state,
        late: sub.as_ref().is_some_and(|s| s.late),
        resubmission_requested: sub.as_ref().is_some_and(|s| s.status == "reopened"),
        submitted_at: sub.as_ref().map(|s| s.submitted_at),
        text: sub.map(|s| s.text).unwrap_or_default(),
        files: files.into_iter().map(WorkFile::from).collect(),
        due_at,
        extension,
        cutoff_at,
        released: grade.as_ref().is_some_and(|g| g.released_at.is_some()),
        passed: grade.as_ref().and_then(|g| g.passed),
        feedback: grade
            .as_ref()
            .map(|g| g.feedback.clone())
            .unwrap_or_default(),
        spoken_transcript: grade
            .as_ref()
            .map(|g| g.spoken_transcript.clone())
            .unwrap_or_default(),
        grade: grade.and_then(|g| g.grade),
        feedback_files: feedback_files.into_iter().map(WorkFile::from).collect(),
        may_hand_in: open && state != WorkState::Returned && !ctx.course.archived,
    })
}

impl Platform {
    /// The assignment `id` as the caller may see it (`NotFound` when hidden from them).
    pub async fn lms_assignment(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<AssignmentPage, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        let inst = a.token.instance();
        let now = to_us(self.now());
        let mut c = self.db.read().await?;
        let settings = Settings::of(store::get(&mut c, inst, id).await?);
        let files = outline::files_of(&mut c, inst, id).await?;
        let work = match ctx.is_editor() {
            true => None,
            false => Some(work_of(&mut c, &ctx, &settings, a.token.user(), true, now).await?),
        };
        drop(c);
        if !ctx.is_editor() && !ctx.course.archived {
            let mut tx = self.db.begin().await?;
            activities::mark_viewed(&mut tx, inst, id, a.token.user(), false, now).await?;
            tx.commit().await?;
        }
        Ok(AssignmentPage {
            ctx,
            settings,
            files,
            work,
        })
    }

    /// Hands in (again): text and files, as the assignment allows. Refused before it opens,
    /// after the cut-off and once the work was returned.
    pub async fn lms_assignment_hand_in(
        &self,
        a: &Actor,
        id: ActivityId,
        input: HandIn,
    ) -> Result<StudentWork, DomainError> {
        let ctx = self.lms_activity_for_participant(a, id).await?;
        if ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        let (inst, me, now) = (a.token.instance(), a.token.user(), to_us(self.now()));
        let settings = {
            let mut c = self.db.read().await?;
            Settings::of(store::get(&mut c, inst, id).await?)
        };
        if input.text.is_some() && !settings.allows(SubmissionType::Text) {
            return Err(DomainError::invalid(
                "text",
                "Diese Aufgabe nimmt keinen Text an.",
            ));
        }
        let checked = self.store_uploads(&settings, input.files).await?;
        let mut tx = self.db.begin().await?;
        let work = work_of(&mut tx, &ctx, &settings, me, false, now).await?;
        refuse_closed(&work, &settings, now)?;
        let (owner, is_group) = owner_of(&mut tx, &ctx, &settings, me).await?;
        let total: i64 = checked.iter().map(|f| f.size).sum();
        self.check_quota_in(&mut tx, a, me.0, total).await?;
        let row = SubmissionRow {
            id: Uuid::now_v7(),
            activity_id: id,
            owner_id: owner,
            is_group,
            text: input.text.map(|t| t.trim().to_owned()).unwrap_or(work.text),
            status: "submitted".into(),
            late: work.due_at.is_some_and(|d| now > d),
            submitted_by: me,
            submitted_at: now,
        };
        let sub = submissions::hand_in(&mut tx, inst, &row).await?;
        for f in &checked {
            submissions::add_file(&mut tx, inst, sub, f, me, now).await?;
        }
        if ctx.activity.completion == "submit" {
            activities::set_completed(&mut tx, inst, id, me, Some(now)).await?;
        }
        tx.commit().await?;
        let mut c = self.db.read().await?;
        work_of(&mut c, &ctx, &settings, me, true, now).await
    }

    /// Checks and stores the files of a hand-in (each by the type the assignment takes).
    async fn store_uploads(
        &self,
        settings: &Settings,
        files: Vec<(String, Vec<u8>, bool)>,
    ) -> Result<Vec<FileRow>, DomainError> {
        let mut checked = Vec::new();
        for (name, bytes, audio) in files {
            let kind = if audio {
                SubmissionType::Audio
            } else {
                SubmissionType::Files
            };
            if !settings.allows(kind) {
                return Err(DomainError::invalid(
                    "file",
                    "Diese Abgabeform nimmt die Aufgabe nicht an.",
                ));
            }
            let mut f = check_upload(&name, bytes, audio)?;
            let blob = self
                .blobs
                .put(f.bytes.as_slice(), f.bytes.len() as u64)
                .await
                .map_err(crate::files::blob_error)?;
            f.row.blob_sha = blob.sha256;
            checked.push(f.row);
        }
        Ok(checked)
    }

    /// Removes a file the student handed in, while they may still change their work.
    pub async fn lms_assignment_remove_file(
        &self,
        a: &Actor,
        id: ActivityId,
        file: Uuid,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_activity_for_participant(a, id).await?;
        let (inst, me, now) = (a.token.instance(), a.token.user(), to_us(self.now()));
        let mut tx = self.db.begin().await?;
        let settings = Settings::of(store::get(&mut tx, inst, id).await?);
        let work = work_of(&mut tx, &ctx, &settings, me, false, now).await?;
        if !work.files.iter().any(|f| f.id == file) {
            return Err(DomainError::NotFound);
        }
        refuse_closed(&work, &settings, now)?;
        sees_work_of(&a.token, &ctx.course, me)?;
        submissions::delete_file(&mut tx, inst, file).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Why a student may not change their work now.
fn refuse_closed(w: &StudentWork, s: &Settings, now: i64) -> Result<(), DomainError> {
    if s.allow_from.is_some_and(|f| now < f) {
        return Err(DomainError::invalid(
            "closed",
            "Die Abgabe ist noch nicht geöffnet.",
        ));
    }
    if w.cutoff_at.is_some_and(|c| now > c) {
        return Err(DomainError::invalid(
            "closed",
            "Der Annahmeschluss ist vorbei: Abgaben sind nicht mehr möglich.",
        ));
    }
    if w.state == WorkState::Returned {
        return Err(DomainError::invalid(
            "closed",
            "Die Arbeit ist schon zurückgegeben.",
        ));
    }
    Ok(())
}
