//! `/kurse/{id}/import`: a course editor uploads a Moodle backup (`.mbz`) or a Common
//! Cartridge (`.imscc`), sees what it brings (sections, items, files, what stays behind) and
//! confirms; the domain imports it in one transaction. A broken archive shows the reader's
//! message in the page's language and changes nothing.

mod preview;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::lms::import::{ImportFailure, MAX_ARCHIVE};
use schulhof_front::{AppState, Lang};
use schulhof_types::CourseId;
use serde::Deserialize;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub fn routes() -> Router<AppState> {
    // Room for the multipart framing around the largest archive.
    let big = DefaultBodyLimit::max(MAX_ARCHIVE as usize + 1024 * 1024);
    Router::new()
        .route("/kurse/{id}/import", get(form).post(upload).layer(big))
        .route("/kurse/{id}/import/bestaetigen", post(confirm))
}

#[derive(Template)]
#[template(path = "lms/import/form.html")]
struct FormPage {
    c: Chrome,
    id: String,
    course: String,
    max_mb: u64,
    error: Option<String>,
}

fn course_id(s: &str) -> Option<CourseId> {
    s.parse().ok()
}

/// The upload form, with `error` above it (status 422 then).
fn form_page(r: &Ready, id: CourseId, course: &str, error: Option<String>) -> Response {
    let tr = r.page.tr();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        c: Chrome::new(&r.page, tr.t("lms_import.title")).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        course: course.to_owned(),
        max_mb: MAX_ARCHIVE / (1024 * 1024),
        error,
    };
    render::html(status, &page)
}

/// The form with the failure's sentence, or the error page for what is no form matter.
fn failure_page(r: &Ready, id: CourseId, course: &str, f: ImportFailure) -> Response {
    let tr = r.page.tr();
    let msg = match f {
        ImportFailure::Archive(e) => match tr.0 {
            Lang::En => e.english(),
            _ => e.to_string(),
        },
        ImportFailure::TooLarge => tr
            .t("lms_import.too_large")
            .replace("{mb}", &(MAX_ARCHIVE / (1024 * 1024)).to_string()),
        ImportFailure::Expired => tr.t("lms_import.expired").to_owned(),
        ImportFailure::Domain(DomainError::QuotaExceeded(m)) => tr.message(&m),
        ImportFailure::Domain(e) => return r.fail(e),
    };
    form_page(r, id, course, Some(msg))
}

/// `GET /kurse/{id}/import`.
async fn form(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.lms_course_for_edit(&r.actor, id).await {
        Ok(ctx) => form_page(&r, id, &ctx.row.name, None),
        Err(e) => r.fail(e),
    }
}

/// The archive of the upload form (field `archiv`); `None` when the body was too large.
async fn archive_of(form: Result<Multipart, MultipartRejection>) -> Option<Vec<u8>> {
    let mut form = form.ok()?;
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("archiv") => {
                return f.bytes().await.ok().map(|b| b.to_vec());
            }
            Ok(Some(_)) => {}
            Ok(None) => return Some(Vec::new()),
            Err(_) => return None,
        }
    }
}

/// `POST /kurse/{id}/import`: reads the archive and shows the preview.
async fn upload(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let ctx = match p.lms_course_for_edit(&r.actor, id).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let result = match archive_of(form).await {
        None => Err(ImportFailure::TooLarge),
        Some(b) if b.is_empty() => {
            let msg = r.page.tr().t("lms_import.choose").to_owned();
            return form_page(&r, id, &ctx.row.name, Some(msg));
        }
        Some(b) => p.lms_import_preview(&r.actor, id, b).await,
    };
    match result {
        Ok(v) => preview::page(&r, id, &ctx.row.name, &v),
        Err(f) => failure_page(&r, id, &ctx.row.name, f),
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    token: String,
    #[serde(default)]
    verborgen: String,
}

/// `POST /kurse/{id}/import/bestaetigen`: imports, then back to the course.
async fn confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let Some(id) = course_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let p = &state.platform;
    let hidden = f.verborgen == "ja";
    match p.lms_import_confirm(&r.actor, id, &f.token, hidden).await {
        Ok(_) => Redirect::to(&format!("/kurse/{id}?ok=lms_imported")).into_response(),
        Err(e) => {
            let name = match p.lms_course_for_edit(&r.actor, id).await {
                Ok(ctx) => ctx.row.name,
                Err(e) => return r.fail(e),
            };
            failure_page(&r, id, &name, e)
        }
    }
}
