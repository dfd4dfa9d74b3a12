//! Private questions about an assignment. `/kurse/aufgaben/{a}/fragen`: a student's own
//! thread with the form to ask, or for the course's teachers the list of every student's
//! thread; `/kurse/aufgaben/{a}/fragen/{u}`: one student's thread for the teachers, with the
//! form to answer. The domain decides who reads what; everyone else gets 404.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{MAX_QUESTION, PrivateThread};
use schulhof_front::AppState;
use serde::Deserialize;

use super::{activity_id, assignment_href, done, user_id, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct PostView {
    pub author: String,
    pub body: String,
    pub at: String,
    /// Written by the student (not by a teacher).
    pub asked: bool,
}

pub struct ThreadLine {
    pub href: String,
    pub name: String,
    pub posts: i64,
    pub last: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "lms/assignments/questions.html")]
struct ThreadPage {
    c: Chrome,
    back: String,
    title: String,
    /// The teachers' list of threads (empty for a student).
    threads: Vec<ThreadLine>,
    /// Whether this is the teachers' list rather than one thread.
    list: bool,
    student: String,
    posts: Vec<PostView>,
    action: Option<String>,
    max: usize,
}

#[derive(Deserialize)]
pub struct AskForm {
    text: String,
}

fn posts(r: &Ready, t: &PrivateThread) -> Vec<PostView> {
    t.posts
        .iter()
        .map(|p| PostView {
            author: p.author.clone(),
            body: p.body.clone(),
            at: when(r, Some(p.created_at)),
            asked: p.author_id == t.student,
        })
        .collect()
}

fn thread_page(r: &Ready, t: &PrivateThread, action: String) -> Response {
    let tr = r.page.tr();
    let title = format!("{}: {}", tr.t("lms.private.title"), t.ctx.activity.title);
    let view = ThreadPage {
        c: Chrome::new(&r.page, title.clone()).signed_in(&r.page, &r.actor),
        back: assignment_href(t.ctx.activity.id),
        title,
        threads: Vec::new(),
        list: false,
        student: t.student_name.clone(),
        posts: posts(r, t),
        action: t.may_write.then_some(action),
        max: MAX_QUESTION,
    };
    render::ok(&view)
}

/// `GET /kurse/aufgaben/{a}/fragen`: the student's thread, or the teachers' list.
pub async fn mine(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_activity(&r.actor, id).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    if !ctx.is_editor() {
        return match p.lms_private_thread(&r.actor, id, None).await {
            Ok(t) => thread_page(&r, &t, format!("/kurse/aufgaben/{id}/fragen")),
            Err(e) => r.fail(e),
        };
    }
    let (ctx, rows) = match p.lms_private_threads(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let title = format!("{}: {}", tr.t("lms.private.list"), ctx.activity.title);
    let view = ThreadPage {
        c: Chrome::new(&r.page, title.clone()).signed_in(&r.page, &r.actor),
        back: assignment_href(id),
        title,
        threads: rows
            .iter()
            .map(|t| ThreadLine {
                href: format!("/kurse/aufgaben/{id}/fragen/{}", t.student),
                name: t.name.clone(),
                posts: t.posts,
                last: when(&r, Some(t.last_at)),
                open: t.open,
            })
            .collect(),
        list: true,
        student: String::new(),
        posts: Vec::new(),
        action: None,
        max: MAX_QUESTION,
    };
    render::ok(&view)
}

/// `POST /kurse/aufgaben/{a}/fragen`: a student asks.
pub async fn ask(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<AskForm>,
) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_private_ask(&r.actor, id, &f.text).await {
        Ok(_) => done(&format!("/kurse/aufgaben/{id}/fragen"), "lms_posted"),
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse/aufgaben/{a}/fragen/{u}`: one student's thread for the teachers.
pub async fn thread(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
) -> Response {
    let (Some(id), Some(student)) = (activity_id(&a), user_id(&u)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_private_thread(&r.actor, id, Some(student))
        .await
    {
        Ok(t) => thread_page(&r, &t, format!("/kurse/aufgaben/{id}/fragen/{student}")),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/aufgaben/{a}/fragen/{u}`: a teacher answers.
pub async fn answer(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
    Form(f): Form<AskForm>,
) -> Response {
    let (Some(id), Some(student)) = (activity_id(&a), user_id(&u)) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_private_answer(&r.actor, id, student, &f.text)
        .await
    {
        Ok(_) => done(
            &format!("/kurse/aufgaben/{id}/fragen/{student}"),
            "lms_posted",
        ),
        Err(e) => r.fail(e),
    }
}
