//! The teacher's overview of an assignment: every participant with their state and grade,
//! in two statements whatever the class size; one student's work; and the files of
//! assignments, each behind the right check.

use std::collections::HashMap;

use schulhof_authz::lms::sees_work_of;
use schulhof_store::lms::PersonRow;
use schulhof_store::lms::assignments::{self as store, grades, submissions};
use schulhof_store::lms::courses;
use schulhof_store::to_us;
use schulhof_types::{ActivityId, UserId};
use serde::Serialize;
use uuid::Uuid;

use super::submit::work_of;
use super::{Settings, StudentWork, WorkFileContent, WorkState};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

/// One participant's line.
#[derive(Clone, Debug, Serialize)]
pub struct OverviewLine {
    pub student: UserId,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub state: WorkState,
    pub late: bool,
    pub resubmission_requested: bool,
    pub submitted_at: Option<i64>,
    pub files: i64,
    pub grade: Option<String>,
    pub released: bool,
    /// The student's later due date (unix µs), if they were given one.
    pub extension: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub lines: Vec<OverviewLine>,
    pub handed_in: usize,
    pub unreleased: usize,
}

/// Which file of an assignment.
#[derive(Clone, Copy, Debug)]
pub enum FileOf {
    Instruction,
    Submission,
    Feedback,
}

impl Platform {
    /// The overview for an assignment the caller edits (reached beforehand): participants,
    /// with their grades, and submissions per student — two statements.
    pub async fn lms_assignment_overview(
        &self,
        a: &Actor,
        ctx: &ActivityCtx,
    ) -> Result<Overview, DomainError> {
        if !ctx.is_editor() || ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        let (inst, id) = (a.token.instance(), ctx.activity.id);
        let mut c = self.db.read().await?;
        let people = courses::participants_for_grading(&mut c, inst, ctx.course.id, id).await?;
        let mut subs = HashMap::new();
        for l in submissions::per_student(&mut c, inst, id).await? {
            subs.entry(l.user).or_insert(l);
        }
        let lines: Vec<OverviewLine> = people
            .into_iter()
            .map(|p| {
                let id = p_id(&p.person);
                OverviewLine {
                    extension: p.extension,
                    ..line(p.person, subs.get(&id), p.grade.as_ref())
                }
            })
            .collect();
        Ok(Overview {
            handed_in: lines.iter().filter(|l| l.submitted_at.is_some()).count(),
            unreleased: lines
                .iter()
                .filter(|l| l.grade.is_some() && !l.released)
                .count(),
            lines,
        })
    }

    /// One student's work for the teacher (grade unreleased included), or the caller's own.
    pub async fn lms_assignment_work(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
    ) -> Result<StudentWork, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        sees_work_of(&a.token, &ctx.course, student)?;
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        if ctx.is_editor()
            && !courses::participants(&mut c, inst, ctx.course.id)
                .await?
                .iter()
                .any(|p| p.id == student)
        {
            return Err(DomainError::NotFound);
        }
        let settings = Settings::of(store::get(&mut c, inst, id).await?);
        work_of(
            &mut c,
            &ctx,
            &settings,
            student,
            !ctx.is_editor(),
            to_us(self.now()),
        )
        .await
    }

    /// A file of an assignment: instructions for whoever sees the assignment, submitted
    /// files for their owner (or group) and the editors, feedback files for the student once
    /// released and for the editors. Anything else is `NotFound`.
    pub async fn lms_assignment_file(
        &self,
        a: &Actor,
        which: FileOf,
        file: Uuid,
    ) -> Result<WorkFileContent, DomainError> {
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let (name, mime, size, sha) = match which {
            FileOf::Instruction => {
                let f = schulhof_store::lms::outline::file(&mut c, inst, file)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                drop(c);
                self.lms_activity(a, f.activity_id).await?;
                (f.name, f.mime, f.size, f.blob_sha)
            }
            FileOf::Submission => {
                let (f, sub) = submissions::file(&mut c, inst, file)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let s = submissions::get(&mut c, inst, sub)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                drop(c);
                self.may_see_submission(a, &s).await?;
                (f.name, f.mime, f.size, f.blob_sha)
            }
            FileOf::Feedback => {
                let (f, act, student) = grades::file(&mut c, inst, file)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                drop(c);
                let work = self.lms_assignment_work(a, act, student).await?;
                if !work.feedback_files.iter().any(|x| x.id == f.id) {
                    return Err(DomainError::NotFound);
                }
                (f.name, f.mime, f.size, f.blob_sha)
            }
        };
        let reader = self
            .blobs
            .open_read(&sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok(WorkFileContent {
            name,
            mime,
            size: size.max(0) as u64,
            etag: sha,
            reader,
        })
    }

    /// Editors see every submission of their course; a participant only their own or
    /// their group's (the group they hand in with).
    async fn may_see_submission(
        &self,
        a: &Actor,
        s: &submissions::SubmissionRow,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_activity(a, s.activity_id).await?;
        if !s.is_group {
            return Ok(sees_work_of(&a.token, &ctx.course, UserId(s.owner_id))?);
        }
        if ctx.is_editor() {
            return Ok(());
        }
        let mut c = self.db.read().await?;
        let settings = Settings::of(store::get(&mut c, a.token.instance(), s.activity_id).await?);
        let (owner, _) = super::submit::owner_of(&mut c, &ctx, &settings, a.token.user()).await?;
        if owner == s.owner_id {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }
}

fn p_id(p: &PersonRow) -> UserId {
    p.id
}

fn line(
    p: PersonRow,
    s: Option<&submissions::WorkLine>,
    g: Option<&grades::GradeRow>,
) -> OverviewLine {
    let sub = s.map(|s| &s.submission);
    OverviewLine {
        student: p.id,
        state: WorkState::of(sub, g),
        late: sub.is_some_and(|s| s.late),
        resubmission_requested: sub.is_some_and(|s| s.status == "reopened"),
        submitted_at: sub.map(|s| s.submitted_at),
        files: s.map_or(0, |s| s.files),
        grade: g.and_then(|g| g.grade.clone()),
        released: g.is_some_and(|g| g.released_at.is_some()),
        extension: None,
        login: p.login,
        first_name: p.first_name,
        last_name: p.last_name,
    }
}
