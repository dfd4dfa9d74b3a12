//! Course communication: the teachers' announcements and the Q&A forum, where every member
//! asks and answers. Plain text (the pages escape it). Archived courses are read-only.

use schulhof_store::lms::posts::{self, NewPost, PostRow};
use schulhof_store::to_us;
use schulhof_types::CourseId;
use uuid::Uuid;

use super::CourseCtx;
use crate::identity::Actor;
use crate::{DomainError, Platform};

fn text(field: &'static str, v: &str, max: usize) -> Result<String, DomainError> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("Bitte einen Text mit höchstens {max} Zeichen angeben."),
        ));
    }
    Ok(v.to_owned())
}

fn open(ctx: &CourseCtx) -> Result<(), DomainError> {
    if ctx.facts.archived {
        return Err(DomainError::Forbidden);
    }
    Ok(())
}

impl Platform {
    /// The announcements of a course, newest first.
    pub async fn lms_announcements(
        &self,
        a: &Actor,
        course: CourseId,
    ) -> Result<Vec<PostRow>, DomainError> {
        let ctx = self.lms_course(a, course).await?;
        let mut c = self.db.read().await?;
        Ok(posts::of_course(&mut c, ctx.facts.instance, course, "announcement").await?)
    }

    /// A teacher of the course announces something to everyone in it.
    pub async fn lms_announce(
        &self,
        a: &Actor,
        course: CourseId,
        title: &str,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let (title, body) = (text("title", title, 200)?, text("body", body, 20_000)?);
        let ctx = self.lms_course_for_edit(a, course).await?;
        self.post(a, &ctx, "announcement", None, &title, &body)
            .await
    }

    /// The forum's threads of a course, newest first, with their number of replies.
    pub async fn lms_questions(
        &self,
        a: &Actor,
        course: CourseId,
    ) -> Result<Vec<PostRow>, DomainError> {
        let ctx = self.lms_course(a, course).await?;
        let mut c = self.db.read().await?;
        Ok(posts::of_course(&mut c, ctx.facts.instance, course, "question").await?)
    }

    /// A member opens a thread.
    pub async fn lms_ask(
        &self,
        a: &Actor,
        course: CourseId,
        title: &str,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let (title, body) = (text("title", title, 200)?, text("body", body, 20_000)?);
        let ctx = self.lms_course(a, course).await?;
        open(&ctx)?;
        self.post(a, &ctx, "question", None, &title, &body).await
    }

    /// A thread (question first, then the replies) with its course; `NotFound` for
    /// non-members.
    pub async fn lms_thread(
        &self,
        a: &Actor,
        question: Uuid,
    ) -> Result<(CourseCtx, Vec<PostRow>), DomainError> {
        let rows = {
            let mut c = self.db.read().await?;
            posts::thread(&mut c, a.token.instance(), question).await?
        };
        let course = rows.first().ok_or(DomainError::NotFound)?.course_id;
        let ctx = self.lms_course(a, course).await?;
        Ok((ctx, rows))
    }

    /// A member answers in a thread.
    pub async fn lms_reply(
        &self,
        a: &Actor,
        question: Uuid,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let body = text("body", body, 20_000)?;
        let (ctx, _) = self.lms_thread(a, question).await?;
        open(&ctx)?;
        self.post(a, &ctx, "reply", Some(question), "", &body).await
    }

    async fn post(
        &self,
        a: &Actor,
        ctx: &CourseCtx,
        kind: &str,
        parent: Option<Uuid>,
        title: &str,
        body: &str,
    ) -> Result<Uuid, DomainError> {
        let id = Uuid::now_v7();
        let n = NewPost {
            id,
            course_id: ctx.row.id,
            kind,
            parent_id: parent,
            author_id: a.token.user(),
            title,
            body,
            now: to_us(self.now()),
        };
        let mut tx = self.db.begin().await?;
        posts::insert(&mut tx, ctx.facts.instance, &n).await?;
        if kind == "announcement" {
            let course = (ctx.row.id, ctx.row.name.as_str());
            super::notify::announcement(
                &mut tx,
                ctx.facts.instance,
                course,
                n.author_id,
                title,
                n.now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }
}
