//! The teacher's side: `/kurse/aufgaben/{a}/abgaben` lists every participant with state and
//! grade (release all, ZIP down and up); `/kurse/aufgaben/{a}/abgaben/{u}` shows one
//! student's work with the grading form (grade, written feedback, spoken feedback recorded
//! here, feedback files), release, resubmission and an extension.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{GradeInput, Grading, Overview, ZipReport};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, UserId};
use serde::Deserialize;

use super::show::{WorkView, work_view};
use super::{activity_id, done, form_error, local_value, parse_local, read, user_id, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub struct Line {
    pub href: String,
    pub name: String,
    pub state: &'static str,
    pub state_key: &'static str,
    pub late: bool,
    pub resubmit: bool,
    pub submitted: String,
    pub grade: String,
    pub released: bool,
}

#[derive(Template)]
#[template(path = "lms/assignments/overview.html")]
struct OverviewPage {
    c: Chrome,
    id: String,
    title: String,
    lines: Vec<Line>,
    handed_in: usize,
    unreleased: usize,
    report: Option<ZipReport>,
    error: Option<String>,
}

async fn render_overview(
    state: &AppState,
    r: &Ready,
    id: ActivityId,
    report: Option<ZipReport>,
    error: Option<String>,
) -> Response {
    let p = &state.platform;
    let ctx = match p.lms_activity_for_edit(&r.actor, id).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let o: Overview = match p.lms_assignment_overview(&r.actor, &ctx).await {
        Ok(o) => o,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let lines = o
        .lines
        .iter()
        .map(|l| Line {
            href: format!("/kurse/aufgaben/{id}/abgaben/{}", l.student),
            name: format!("{}, {}", l.last_name, l.first_name),
            state: tr.t(&format!("assign.state.{}", l.state.as_str())),
            state_key: l.state.as_str(),
            late: l.late,
            resubmit: l.resubmission_requested,
            submitted: when(r, l.submitted_at),
            grade: l.grade.clone().unwrap_or_default(),
            released: l.released,
        })
        .collect();
    let title = format!("{}: {}", tr.t("assign.submissions"), ctx.activity.title);
    let page = OverviewPage {
        c: Chrome::new(&r.page, title.clone()).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        title,
        lines,
        handed_in: o.handed_in,
        unreleased: o.unreleased,
        report,
        error,
    };
    render::ok(&page)
}

/// `GET /kurse/aufgaben/{a}/abgaben`.
pub async fn overview(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    match activity_id(&a) {
        Some(id) => render_overview(&state, &r, id, None, None).await,
        None => r.fail(DomainError::NotFound),
    }
}

/// `POST /kurse/aufgaben/{a}/abgaben/freigeben`: releases every grade.
pub async fn release_all(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .lms_assignment_release(&r.actor, id, None)
        .await
    {
        Ok(_) => done(
            &format!("/kurse/aufgaben/{id}/abgaben"),
            "lms_assign_released",
        ),
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse/aufgaben/{a}/abgaben.zip`.
pub async fn zip(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_assignment_zip(&r.actor, id).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"Abgaben.zip\"".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/aufgaben/{a}/abgaben/rueckmeldungen`: feedback files from a ZIP, with the
/// report of what matched no student.
pub async fn upload_zip(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = activity_id(&a) else {
        return r.fail(DomainError::NotFound);
    };
    let result = match read(form).await {
        Ok(mut sent) => match sent.take("zip").into_iter().next() {
            Some(u) => {
                state
                    .platform
                    .lms_assignment_feedback_zip(&r.actor, id, u.bytes)
                    .await
            }
            None => Err(DomainError::invalid(
                "zip",
                "Bitte eine ZIP-Datei auswählen.",
            )),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => render_overview(&state, &r, id, Some(report), None).await,
        Err(e) => match form_error(&r, e) {
            Ok(msg) => render_overview(&state, &r, id, None, Some(msg)).await,
            Err(resp) => resp,
        },
    }
}

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
