//! `/kurse/tests/…`: quizzes — the quiz page (start, attempts, score), the attempt (one
//! page with every question, a timer that can be extended), the review, the teacher's
//! results with extensions, and the editor (settings and questions, forms without
//! JavaScript). The domain decides every right; what a caller may not see answers 404.

// The helpers' error is the handler's own answer (an error page or a redirect), returned
// once per request: boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod editor;
mod overview;
mod question;
mod results;
mod show;
mod take;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use crate::auth::Ready;
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/kurse/abschnitte/{s}/tests/neu",
            get(editor::new_form).post(editor::create),
        )
        .route("/kurse/tests/{a}", get(overview::show))
        .route("/kurse/tests/{a}/starten", post(overview::start))
        .route(
            "/kurse/tests/{a}/bearbeiten",
            get(editor::edit_form).post(editor::update),
        )
        .route(
            "/kurse/tests/{a}/fragen/neu",
            get(question::new_form).post(question::create),
        )
        .route(
            "/kurse/tests/{a}/fragen/{q}",
            get(question::edit_form).post(question::update),
        )
        .route(
            "/kurse/tests/{a}/fragen/{q}/verschieben",
            post(question::move_it),
        )
        .route(
            "/kurse/tests/{a}/fragen/{q}/loeschen",
            post(question::delete),
        )
        .route("/kurse/tests/{a}/ergebnisse", get(results::show))
        .route("/kurse/tests/{a}/verlaengerung", post(results::extension))
        .route("/kurse/tests/versuch/{t}", get(take::show).post(take::save))
        .route("/kurse/tests/versuch/{t}/verlaengern", post(take::extend))
        .route("/kurse/tests/versuch/{t}/auswertung", get(show::review))
}

pub fn quiz_href(id: ActivityId) -> String {
    format!("/kurse/tests/{id}")
}

/// An id from the path; a malformed one is as unknown as a hidden one.
fn id<T: std::str::FromStr>(r: &Ready, s: &str) -> Result<T, Response> {
    s.parse().map_err(|_| r.fail(DomainError::NotFound))
}

/// Hundredths of a point as the page shows them: "2", "2,5", "0,66".
pub fn points(tr: Tr, hundredths: i64) -> String {
    let whole = hundredths / 100;
    let frac = (hundredths % 100).abs();
    let sep = if tr.0 == schulhof_front::Lang::De {
        ','
    } else {
        '.'
    };
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}{sep}{}", f / 10),
        f => format!("{whole}{sep}{f:02}"),
    }
}

/// "1 Punkt", "2 Punkte", "0,5 Punkte".
pub fn points_label(tr: Tr, hundredths: i64) -> String {
    if hundredths == 100 {
        tr.t("quiz.point.one").to_owned()
    } else {
        tr.t("quiz.point.many")
            .replace("{n}", &points(tr, hundredths))
    }
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
fn form_error(r: &Ready, e: DomainError) -> Result<(&'static str, String), Response> {
    match e {
        DomainError::Invalid { field, message } | DomainError::Conflict { field, message } => {
            Ok((field, r.page.tr().message(&message)))
        }
        e => Err(r.fail(e)),
    }
}

/// "Ja"/"Nein" of a checkbox.
fn checked(form: &[(String, String)], key: &str) -> bool {
    field(form, key) == "ja"
}

type Pairs = Vec<(String, String)>;
