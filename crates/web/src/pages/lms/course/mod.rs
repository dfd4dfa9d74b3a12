//! `/kurse`: the caller's courses, a course page with its sections and material, material
//! pages with files and completion, the editors' forms, settings, progress and the list of
//! what is due. Every right is the domain's; what a caller may not see answers 404.

/// The home page's card of what is due (one statement).
pub mod card;
mod edit;
mod list;
pub use list::auto_label;
mod material;
mod page;
mod pick_files;
mod progress;
mod sections;
mod settings;
mod talk;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, TimeZone};
use schulhof_domain::DomainError;
use schulhof_domain::lms::{MAX_IMAGE, MAX_MEDIA};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, CourseId, SectionId};

use crate::auth::Ready;
use crate::when::Zone;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kurse", get(list::show))
        .route("/kurse/anlegen", post(list::create))
        .route("/kurse/automatisch", post(list::set_auto))
        .route("/kurse/faellig", get(progress::due))
        .route("/kurse/{id}", get(page::show))
        .route("/kurse/{id}/abschnitte", post(sections::add_section))
        .route(
            "/kurse/{id}/einstellungen",
            get(settings::show).post(settings::save),
        )
        .route("/kurse/{id}/gruppen", post(settings::link_group))
        .route(
            "/kurse/{id}/gruppen/{g}/entfernen",
            post(settings::unlink_group),
        )
        .route("/kurse/{id}/lehrkraefte", post(settings::add_co_teacher))
        .route(
            "/kurse/{id}/personen/{u}/entfernen",
            post(settings::remove_person),
        )
        .route("/kurse/{id}/kopieren", post(settings::copy))
        .route("/kurse/{id}/fortschritt", get(progress::show))
        .route(
            "/kurse/{id}/mitteilungen",
            get(talk::announcements).post(talk::announce),
        )
        .route("/kurse/{id}/forum", get(talk::forum).post(talk::ask))
        .route("/kurse/forum/{q}", get(talk::thread).post(talk::reply))
        .route("/kurse/{id}/fortschritt.csv", get(progress::csv))
        .route(
            "/kurse/abschnitte/{s}/bearbeiten",
            get(sections::section_form).post(sections::save_section),
        )
        .route(
            "/kurse/abschnitte/{s}/verschieben",
            post(sections::move_section),
        )
        .route(
            "/kurse/abschnitte/{s}/loeschen",
            post(sections::delete_section),
        )
        .route(
            "/kurse/abschnitte/{s}/material/neu",
            get(edit::new_material).post(edit::create_material),
        )
        .route("/kurse/material/{a}", get(material::show))
        .route("/kurse/material/{a}/erledigt", post(material::mark_done))
        .route("/kurse/material/{a}/datei/{f}", get(material::download))
        .route(
            "/kurse/material/{a}/bearbeiten",
            get(edit::edit_material).post(edit::update_material),
        )
        .route(
            "/kurse/material/{a}/verschieben",
            get(edit::move_form).post(edit::move_material),
        )
        .route("/kurse/material/{a}/loeschen", post(edit::delete_material))
        .route(
            "/kurse/material/{a}/dateien",
            post(material::upload).layer(DefaultBodyLimit::max(MAX_MEDIA as usize + 1024 * 1024)),
        )
        .route(
            "/kurse/material/{a}/dateien/auswahl",
            get(pick_files::show).post(material::pick),
        )
        .route(
            "/kurse/material/{a}/bilder",
            post(material::upload_image)
                .layer(DefaultBodyLimit::max(MAX_IMAGE as usize + 1024 * 1024)),
        )
        .route(
            "/kurse/material/{a}/untertitel",
            post(material::upload_captions).layer(DefaultBodyLimit::max(
                schulhof_domain::lms::captions::MAX_CAPTIONS as usize + 64 * 1024,
            )),
        )
        .route(
            "/kurse/material/{a}/bilder/auswahl",
            post(material::pick_image),
        )
        .route(
            "/kurse/material/{a}/dateien/{f}/entfernen",
            post(material::remove_file),
        )
}

pub fn course_href(id: CourseId) -> String {
    format!("/kurse/{id}")
}

pub fn material_href(id: ActivityId) -> String {
    format!("/kurse/material/{id}")
}

fn course_id(s: &str) -> Option<CourseId> {
    s.parse().ok()
}

fn activity_id(s: &str) -> Option<ActivityId> {
    s.parse().ok()
}

fn section_id(s: &str) -> Option<SectionId> {
    s.parse().ok()
}

/// The icon of an activity kind in the sprite.
pub fn kind_icon(kind: &str) -> &'static str {
    match kind {
        "page" => "i-text",
        "link" => "i-link",
        "file" => "i-file",
        "folder" => "i-folder",
        "media" => "i-video",
        "assignment" => "i-upload",
        "quiz" => "i-check",
        "lti" => "i-link",
        _ => "i-file",
    }
}

/// Where an activity opens: material here, assignments and quizzes in their own pages.
pub fn activity_href(kind: &str, id: ActivityId) -> String {
    match kind {
        "assignment" => format!("/kurse/aufgaben/{id}"),
        "quiz" => format!("/kurse/tests/{id}"),
        "lti" => format!("/kurse/lti/{id}"),
        _ => material_href(id),
    }
}

/// A form's date and time (`datetime-local`, the school's zone) as unix µs.
fn parse_local(zone: &Zone, v: &str) -> Result<Option<i64>, DomainError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| DomainError::invalid("visible_from", "Bitte Datum und Uhrzeit angeben."))?;
    let local = zone
        .0
        .from_local_datetime(&t)
        .earliest()
        .ok_or_else(|| DomainError::invalid("visible_from", "Diese Uhrzeit gibt es nicht."))?;
    Ok(Some(local.timestamp_micros()))
}

/// Unix µs as the value of a `datetime-local` input.
fn local_value(zone: &Zone, us: Option<i64>) -> String {
    us.and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| {
            t.with_timezone(&zone.0)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// "03.12.2026, 14:05" for unix µs.
fn when(r: &Ready, us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| Zone::of(&r.actor).datetime(r.page.tr(), t))
        .unwrap_or_default()
}

/// The value of `key` in a form sent as pairs (several values: the first).
fn field<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Back to `to` with a flash message.
fn done(to: &str, ok: &str) -> Response {
    Redirect::to(&format!("{to}?ok={ok}")).into_response()
}

/// The message of bad input for the form, or the error page for everything else.
// The error side is the page to send at once, built once per failed request.
#[allow(clippy::result_large_err)]
fn form_error(r: &Ready, e: DomainError) -> Result<String, Response> {
    match e {
        DomainError::Invalid { message, .. } | DomainError::Conflict { message, .. } => {
            Ok(r.page.tr().message(&message))
        }
        e => Err(r.fail(e)),
    }
}
