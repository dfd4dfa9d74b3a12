//! `/kurse/aufgaben/…`: assignments. The teacher's form (instructions with an audio
//! instruction recorded in the browser, dates, submission types, grading), the page a
//! student hands in on (text, files and photos, a recording), the teacher's overview of all
//! submissions with grading, spoken feedback, release, resubmission, extensions and the ZIP
//! round trip, and the files with ranges. The domain decides every right; 404 otherwise.

mod form;
mod form_values;
mod grading;
mod overview;
mod questions;
mod show;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::lms::assignments::{MAX_HAND_IN, MAX_ZIP};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, UserId};

use crate::auth::Ready;
use crate::when::Zone;

/// A form with a recording and a few files.
const FORM_LIMIT: usize = MAX_HAND_IN as usize;

pub fn routes() -> Router<AppState> {
    let big = DefaultBodyLimit::max(FORM_LIMIT);
    Router::new()
        .route(
            "/kurse/abschnitte/{s}/aufgabe/neu",
            get(form::new_form).post(form::create).layer(big),
        )
        .route("/kurse/aufgaben/{a}", get(show::show))
        .route(
            "/kurse/aufgaben/{a}/bearbeiten",
            get(form::edit_form).post(form::update).layer(big),
        )
        .route(
            "/kurse/aufgaben/{a}/anleitung/{f}/entfernen",
            post(form::remove_file),
        )
        .route("/kurse/aufgaben/{a}/abgabe", post(show::hand_in).layer(big))
        .route(
            "/kurse/aufgaben/{a}/abgabe/{f}/entfernen",
            post(show::remove_file),
        )
        .route("/kurse/aufgaben/datei/{kind}/{f}", get(show::download))
        .route("/kurse/aufgaben/{a}/abgaben", get(overview::show))
        .route("/kurse/aufgaben/{a}/abgaben.zip", get(overview::zip))
        .route(
            "/kurse/aufgaben/{a}/abgaben/rueckmeldungen",
            post(overview::upload_zip).layer(DefaultBodyLimit::max(MAX_ZIP as usize + 1024 * 1024)),
        )
        .route(
            "/kurse/aufgaben/{a}/abgaben/freigeben",
            post(overview::release_all),
        )
        .route(
            "/kurse/aufgaben/{a}/abgaben/{u}",
            get(grading::work).post(grading::grade).layer(big),
        )
        .route(
            "/kurse/aufgaben/{a}/abgaben/{u}/freigeben",
            post(grading::release_one),
        )
        .route(
            "/kurse/aufgaben/{a}/abgaben/{u}/erneut",
            post(grading::resubmission),
        )
        .route(
            "/kurse/aufgaben/{a}/abgaben/{u}/verlaengerung",
            post(grading::extension),
        )
        .route(
            "/kurse/aufgaben/{a}/fragen",
            get(questions::mine).post(questions::ask),
        )
        .route(
            "/kurse/aufgaben/{a}/fragen/{u}",
            get(questions::thread).post(questions::answer),
        )
}

pub fn assignment_href(id: ActivityId) -> String {
    format!("/kurse/aufgaben/{id}")
}

fn activity_id(s: &str) -> Option<ActivityId> {
    s.parse().ok()
}

fn user_id(s: &str) -> Option<UserId> {
    s.parse().ok()
}

/// A file sent with a form.
pub struct Upload {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A `multipart/form-data` form: its text fields and its (non-empty) files.
#[derive(Default)]
pub struct Sent {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Sent {
    pub fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Takes the files of `field` out.
    pub fn take(&mut self, field: &str) -> Vec<Upload> {
        let (mine, rest) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|u| u.field == field);
        self.files = rest;
        mine
    }
}

fn too_big() -> DomainError {
    DomainError::invalid("file", "Die Dateien sind zu groß.")
}

/// Reads a whole form; a form beyond the body limit is refused as too big.
pub async fn read(form: Result<Multipart, MultipartRejection>) -> Result<Sent, DomainError> {
    let mut form = form.map_err(|_| too_big())?;
    let mut sent = Sent::default();
    while let Some(f) = form.next_field().await.map_err(|_| too_big())? {
        let field = f.name().unwrap_or("").to_owned();
        match f.file_name().map(str::to_owned) {
            Some(name) => {
                let bytes = f.bytes().await.map_err(|_| too_big())?;
                if !bytes.is_empty() {
                    sent.files.push(Upload {
                        field,
                        name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let v = f.text().await.map_err(|_| too_big())?;
                sent.fields.push((field, v));
            }
        }
    }
    Ok(sent)
}

/// A form's `datetime-local` (the school's zone) as a time.
fn parse_local(
    zone: &Zone,
    v: &str,
    field: &'static str,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| DomainError::invalid(field, "Bitte Datum und Uhrzeit angeben."))?;
    zone.0
        .from_local_datetime(&t)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| DomainError::invalid(field, "Diese Uhrzeit gibt es nicht."))
}

/// Unix µs as the value of a `datetime-local` input.
fn local_value(zone: &Zone, us: Option<i64>) -> String {
    us.and_then(DateTime::from_timestamp_micros)
        .map(|t| {
            t.with_timezone(&zone.0)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// "03.12.2026, 14:05" for unix µs.
fn when(r: &Ready, us: Option<i64>) -> String {
    us.and_then(DateTime::from_timestamp_micros)
        .map(|t| Zone::of(&r.actor).datetime(r.page.tr(), t))
        .unwrap_or_default()
}

/// Back to `to` with a flash message.
fn done(to: &str, ok: &str) -> Response {
    Redirect::to(&format!("{to}?ok={ok}")).into_response()
}

/// The message of bad input for the form, or the error page for everything else (a
/// response as the error: the caller returns it as it is).
#[allow(clippy::result_large_err)]
fn form_error(r: &Ready, e: DomainError) -> Result<String, Response> {
    match e {
        DomainError::Invalid { message, .. } | DomainError::Conflict { message, .. } => {
            Ok(r.page.tr().message(&message))
        }
        DomainError::QuotaExceeded(m) => Ok(r.page.tr().message(&m)),
        e => Err(r.fail(e)),
    }
}

/// A page with a recorder: the microphone for this origin (every other page denies it) and
/// the recording's preview from a `blob:` URL; otherwise the server's usual policies.
fn with_recorder(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        axum::http::HeaderName::from_static("permissions-policy"),
        axum::http::HeaderValue::from_static("camera=(), microphone=(self), geolocation=()"),
    );
    h.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        ),
    );
    resp
}

/// "1.2 MB".
fn size(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0).replace("0.0 MB", "< 0.1 MB")
}
