//! The teacher's list of an assignment: `/kurse/aufgaben/{a}/abgaben` shows every
//! participant with state, grade and extension; release all, and the ZIP of every hand-in
//! down and of feedback files up (with a report of what matched no student).

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{Overview, ZipReport};
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use super::{activity_id, done, form_error, read, when};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

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
    /// The student's later due date, empty when none.
    pub extension: String,
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
            grade: l
                .grade
                .as_deref()
                .map(|g| super::show::grade_word(r, g))
                .unwrap_or_default(),
            released: l.released,
            extension: when(r, l.extension),
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
pub async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
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
