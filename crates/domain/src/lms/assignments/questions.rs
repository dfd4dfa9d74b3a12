//! Private questions about an assignment: a student asks the course's teachers, one thread
//! per student and assignment; the teachers answer. The policy's `sees_work_of` decides who
//! reads a thread — the student it belongs to and the course's editors — and everyone else
//! gets `NotFound`, as for a student's work.

use schulhof_authz::check;
use schulhof_authz::lms::{EditCourse, TakePart, sees_work_of};
use schulhof_store::lms::courses;
use schulhof_store::lms::private::{self, PrivatePost, ThreadRow};
use schulhof_store::to_us;
use schulhof_types::{ActivityId, UserId};
use uuid::Uuid;

use crate::identity::Actor;
use crate::lms::notify::{Question, question_answered, question_asked};
use crate::lms::{ActivityCtx, PersonRow};
use crate::{DomainError, Platform};

/// Longest post accepted, in characters.
pub const MAX_QUESTION: usize = 5000;

/// One student's thread about an assignment.
#[derive(Clone, Debug)]
pub struct PrivateThread {
    pub ctx: ActivityCtx,
    pub student: UserId,
    /// The student's name ("First Last").
    pub student_name: String,
    pub posts: Vec<PrivatePost>,
    /// Whether the caller may write in it now (the student asks, an editor answers; not in
    /// archived courses).
    pub may_write: bool,
}

fn body_of(v: &str) -> Result<String, DomainError> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > MAX_QUESTION {
        return Err(DomainError::invalid(
            "body",
            format!("Bitte einen Text mit höchstens {MAX_QUESTION} Zeichen angeben."),
        ));
    }
    Ok(v.to_owned())
}

impl Platform {
    /// An assignment the caller sees, with the student whose thread is meant (`None`: the
    /// caller's own) after the policy's check; for an editor the student must take part.
    async fn thread_of(
        &self,
        a: &Actor,
        id: ActivityId,
        student: Option<UserId>,
    ) -> Result<(ActivityCtx, UserId, String), DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != "assignment" {
            return Err(DomainError::NotFound);
        }
        let student = student.unwrap_or_else(|| a.token.user());
        sees_work_of(&a.token, &ctx.course, student)?;
        if !ctx.is_editor() {
            let name = format!("{} {}", a.user.first_name, a.user.last_name);
            return Ok((ctx, student, name));
        }
        let mut c = self.db.read().await?;
        let people = courses::participants(&mut c, ctx.course.instance, ctx.course.id).await?;
        let name = student_name(&people, student).ok_or(DomainError::NotFound)?;
        Ok((ctx, student, name))
    }

    /// A student's private thread about an assignment: the caller's own (`student` `None`),
    /// or, for the course's editors, the student's given.
    pub async fn lms_private_thread(
        &self,
        a: &Actor,
        id: ActivityId,
        student: Option<UserId>,
    ) -> Result<PrivateThread, DomainError> {
        let (ctx, student, student_name) = self.thread_of(a, id, student).await?;
        let may_write = if ctx.is_editor() {
            check(&a.token, EditCourse(ctx.course)).is_ok()
        } else {
            check(&a.token, TakePart(ctx.course)).is_ok()
        };
        let mut c = self.db.read().await?;
        let posts = private::thread(&mut c, ctx.course.instance, id, student).await?;
        Ok(PrivateThread {
            ctx,
            student,
            student_name,
            posts,
            may_write,
        })
    }

    /// The threads of an assignment for its editors, those waiting for an answer first.
    pub async fn lms_private_threads(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<(ActivityCtx, Vec<ThreadRow>), DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != "assignment" || !ctx.is_editor() {
            return Err(DomainError::NotFound);
        }
        let mut c = self.db.read().await?;
        let rows = private::threads(&mut c, ctx.course.instance, id).await?;
        Ok((ctx, rows))
    }

    /// A student asks the course's teachers privately; they are notified.
    pub async fn lms_private_ask(
        &self,
        a: &Actor,
        id: ActivityId,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let body = body_of(body)?;
        let (ctx, student, _) = self.thread_of(a, id, None).await?;
        check(&a.token, TakePart(ctx.course))?;
        self.private_post(a, &ctx, student, &body).await
    }

    /// A teacher answers a student's private thread; the student is notified.
    pub async fn lms_private_answer(
        &self,
        a: &Actor,
        id: ActivityId,
        student: UserId,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let body = body_of(body)?;
        let (ctx, student, _) = self.thread_of(a, id, Some(student)).await?;
        check(&a.token, EditCourse(ctx.course))?;
        self.private_post(a, &ctx, student, &body).await
    }

    async fn private_post(
        &self,
        a: &Actor,
        ctx: &ActivityCtx,
        student: UserId,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let inst = ctx.course.instance;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let id = ctx.activity.id;
        let author = a.token.user();
        let post = private::insert(&mut tx, inst, id, student, author, body, to_us(now)).await?;
        let course = courses::get(&mut tx, inst, ctx.course.id, crate::lms::context::member(a))
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let q = Question {
            course: ctx.course.id,
            activity: id,
            title: &ctx.activity.title,
            course_name: &course,
            student,
            by: &format!("{} {}", a.user.first_name, a.user.last_name),
        };
        if author == student {
            question_asked(&mut tx, inst, &q, to_us(now)).await?;
        } else {
            question_answered(&mut tx, inst, &q, now).await?;
        }
        tx.commit().await?;
        Ok(post)
    }
}

/// The name of a thread's student among a course's participants.
fn student_name(people: &[PersonRow], student: UserId) -> Option<String> {
    people
        .iter()
        .find(|p| p.id == student)
        .map(|p| format!("{} {}", p.first_name, p.last_name))
}
