//! Course communication: `/kurse/{id}/mitteilungen` (announcements: teachers write,
//! everyone reads), `/kurse/{id}/forum` (threads) and `/kurse/forum/{q}` (a thread with its
//! replies). Plain text, escaped by the templates.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::PostRow;
use schulhof_front::AppState;
use serde::Deserialize;

use super::{course_id, done, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct PostLine {
    pub href: String,
    pub title: String,
    pub body: String,
    pub meta: String,
    pub replies: i64,
}

fn line(r: &Ready, p: &PostRow) -> PostLine {
    PostLine {
        href: format!("/kurse/forum/{}", p.id),
        title: p.title.clone(),
        body: p.body.clone(),
        meta: format!("{} · {}", p.author, when(r, p.created_at)),
        replies: p.replies,
    }
}

#[derive(Template)]
#[template(path = "lms/course/talk.html")]
struct TalkPage {
    c: Chrome,
    id: String,
    forum: bool,
    may_write: bool,
    posts: Vec<PostLine>,
}

#[derive(Deserialize)]
pub struct PostForm {
    #[serde(default)]
    titel: String,
    text: String,
}

async fn list(state: AppState, r: Ready, id: String, forum: bool) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_course(&r.actor, id).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let rows = if forum {
        p.lms_questions(&r.actor, id).await
    } else {
        p.lms_announcements(&r.actor, id).await
    };
    let rows = match rows {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let open = ctx.row.archived_at.is_none();
    let title = format!(
        "{}: {}",
        tr.t(if forum {
            "lms.forum"
        } else {
            "lms.announcements"
        }),
        ctx.row.name
    );
    let view = TalkPage {
        c: Chrome::new(&r.page, title).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        forum,
        may_write: open && (forum || ctx.is_editor()),
        posts: rows.iter().map(|p| line(&r, p)).collect(),
    };
    render::ok(&view)
}

/// `GET /kurse/{id}/mitteilungen`.
pub async fn announcements(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    list(state, r, id, false).await
}

/// `GET /kurse/{id}/forum`.
pub async fn forum(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    list(state, r, id, true).await
}

/// `POST /kurse/{id}/mitteilungen`.
pub async fn announce(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<PostForm>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_announce(&r.actor, id, &f.titel, &f.text)
        .await
    {
        Ok(_) => done(&format!("/kurse/{id}/mitteilungen"), "lms_posted"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/{id}/forum`: a new thread.
pub async fn ask(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<PostForm>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_ask(&r.actor, id, &f.titel, &f.text)
        .await
    {
        Ok(q) => done(&format!("/kurse/forum/{q}"), "lms_posted"),
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "lms/course/thread.html")]
struct ThreadPage {
    c: Chrome,
    id: String,
    course: String,
    question: PostLine,
    replies: Vec<PostLine>,
    may_write: bool,
}

/// `GET /kurse/forum/{q}`.
pub async fn thread(State(state): State<AppState>, r: Ready, Path(q): Path<String>) -> Response {
    let Ok(q) = uuid::Uuid::parse_str(&q) else {
        return r.fail(DomainError::NotFound);
    };
    let (ctx, rows) = match state.platform.lms_thread(&r.actor, q).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let mut lines = rows.iter().map(|p| line(&r, p));
    let Some(question) = lines.next() else {
        return r.fail(DomainError::NotFound);
    };
    let view = ThreadPage {
        c: Chrome::new(&r.page, question.title.clone()).signed_in(&r.page, &r.actor),
        id: q.to_string(),
        course: ctx.row.id.to_string(),
        question,
        replies: lines.collect(),
        may_write: ctx.row.archived_at.is_none(),
    };
    render::ok(&view)
}

/// `POST /kurse/forum/{q}`: a reply.
pub async fn reply(
    State(state): State<AppState>,
    r: Ready,
    Path(q): Path<String>,
    Form(f): Form<PostForm>,
) -> Response {
    let Ok(q) = uuid::Uuid::parse_str(&q) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_reply(&r.actor, q, &f.text).await {
        Ok(_) => done(&format!("/kurse/forum/{q}"), "lms_posted"),
        Err(e) => r.fail(e),
    }
}
