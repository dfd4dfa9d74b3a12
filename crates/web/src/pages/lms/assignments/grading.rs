//! Grading one student: `/kurse/aufgaben/{a}/abgaben/{u}` shows the student's work with the
//! grading form (grade, written feedback, spoken feedback recorded here, feedback files),
//! release, resubmission and an extension. The list of all is in [`super::overview`].

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{GradeInput, Grading};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, UserId};
use serde::Deserialize;

use super::show::{WorkView, work_view};
use super::{activity_id, done, form_error, local_value, parse_local, read, user_id};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "lms/assignments/work.html")]
struct WorkPage {
    c: Chrome,
    base: String,
    back: String,
    title: String,
    w: WorkView,
    grade: String,
    grading: String,
    max: i64,
    labels: Vec<String>,
    feedback: String,
    transcript: String,
    has_grade: bool,
    extension: String,
    error: Option<String>,
    record_js: String,
}

fn ids(a: &str, u: &str) -> Option<(ActivityId, UserId)> {
    Some((activity_id(a)?, user_id(u)?))
}

async fn render_work(
    state: &AppState,
    r: &Ready,
    id: ActivityId,
    student: UserId,
    error: Option<String>,
) -> Response {
    let p = &state.platform;
    let page = match p.lms_assignment(&r.actor, id).await {
        Ok(x) if x.ctx.is_editor() => x,
        Ok(_) => return r.fail(DomainError::NotFound),
        Err(e) => return r.fail(e),
    };
    let w = match p.lms_assignment_work(&r.actor, id, student).await {
        Ok(w) => w,
        Err(e) => return r.fail(e),
    };
    let name = match p.lms_activity_for_edit(&r.actor, id).await {
        Ok(ctx) => p
            .lms_assignment_overview(&r.actor, &ctx)
            .await
            .ok()
            .and_then(|o| {
                o.lines
                    .into_iter()
                    .find(|l| l.student == student)
                    .map(|l| format!("{} {}", l.first_name, l.last_name))
            }),
        Err(e) => return r.fail(e),
    };
    let (grading, max, labels) = match &page.settings.grading {
        Grading::Points { max, .. } => ("points", *max, Vec::new()),
        Grading::Scale { labels, .. } => ("scale", 0, labels.clone()),
        Grading::PassFail => ("passfail", 0, Vec::new()),
    };
    let base = format!("/kurse/aufgaben/{id}/abgaben/{student}");
    let title = format!("{} – {}", page.ctx.activity.title, name.unwrap_or_default());
    let view = WorkPage {
        c: Chrome::new(&r.page, title.clone()).signed_in(&r.page, &r.actor),
        back: format!("/kurse/aufgaben/{id}/abgaben"),
        title,
        grade: w.grade.clone().unwrap_or_default(),
        grading: grading.into(),
        max,
        labels,
        feedback: w.feedback.clone(),
        transcript: w.spoken_transcript.clone(),
        has_grade: w.grade.is_some() || !w.feedback.is_empty() || !w.feedback_files.is_empty(),
        extension: local_value(&Zone::of(&r.actor), w.extension),
        w: work_view(r, &w, ""),
        base,
        error,
        record_js: crate::assets::href("lms_assign_record.js"),
    };
    super::with_recorder(render::ok(&view))
}

/// `GET /kurse/aufgaben/{a}/abgaben/{u}`.
pub async fn work(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
) -> Response {
    match ids(&a, &u) {
        Some((id, student)) => render_work(&state, &r, id, student, None).await,
        None => r.fail(DomainError::NotFound),
    }
}

/// `POST /kurse/aufgaben/{a}/abgaben/{u}`: grade, feedback, spoken feedback, files.
pub async fn grade(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some((id, student)) = ids(&a, &u) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let result = async {
        let mut sent = read(form).await?;
        let input = GradeInput {
            grade: sent.get("note").to_owned(),
            feedback: sent.get("rueckmeldung").to_owned(),
            spoken_transcript: sent.get("transkript").to_owned(),
            release: false,
        };
        p.lms_assignment_grade(&r.actor, id, student, &input)
            .await?;
        for u in sent.take("aufnahme") {
            p.lms_assignment_add_feedback(&r.actor, id, student, &u.name, u.bytes, true)
                .await?;
        }
        for u in sent.take("dateien") {
            p.lms_assignment_add_feedback(&r.actor, id, student, &u.name, u.bytes, false)
                .await?;
        }
        if sent.get("freigeben") == "ja" {
            p.lms_assignment_release(&r.actor, id, Some(student))
                .await?;
        }
        Ok::<(), DomainError>(())
    }
    .await;
    match result {
        Ok(()) => done(
            &format!("/kurse/aufgaben/{id}/abgaben/{student}"),
            "lms_assign_graded",
        ),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_work(&state, &r, id, student, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}

/// `POST /kurse/aufgaben/{a}/abgaben/{u}/freigeben`.
pub async fn release_one(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
) -> Response {
    let Some((id, student)) = ids(&a, &u) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_assignment_release(&r.actor, id, Some(student))
        .await
    {
        Ok(_) => done(
            &format!("/kurse/aufgaben/{id}/abgaben/{student}"),
            "lms_assign_released",
        ),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/aufgaben/{a}/abgaben/{u}/erneut`: asks for a resubmission.
pub async fn resubmission(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
) -> Response {
    let Some((id, student)) = ids(&a, &u) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_assignment_request_resubmission(&r.actor, id, student)
        .await
    {
        Ok(()) => done(
            &format!("/kurse/aufgaben/{id}/abgaben/{student}"),
            "lms_assign_reopened",
        ),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_work(&state, &r, id, student, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}

#[derive(Deserialize)]
pub struct ExtensionForm {
    bis: String,
}

/// `POST /kurse/aufgaben/{a}/abgaben/{u}/verlaengerung`: an empty date takes it back.
pub async fn extension(
    State(state): State<AppState>,
    r: Ready,
    Path((a, u)): Path<(String, String)>,
    Form(f): Form<ExtensionForm>,
) -> Response {
    let Some((id, student)) = ids(&a, &u) else {
        return r.fail(DomainError::NotFound);
    };
    let result = match parse_local(&Zone::of(&r.actor), &f.bis, "extension") {
        Ok(due) => {
            state
                .platform
                .lms_assignment_set_extension(&r.actor, id, student, due)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(
            &format!("/kurse/aufgaben/{id}/abgaben/{student}"),
            "lms_assign_saved",
        ),
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_work(&state, &r, id, student, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}
