//! An import while it runs (a progress page that reloads itself, no JavaScript) and after
//! it ran: the counts, the encrypted protocol and the initial-password letters.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use schulhof_domain::DomainError;
use schulhof_domain::import::{LetterClass, RunView};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::import::run::{PreviewInput, base_href, parse_id, render_run};
use crate::pages::import::summary::{Count, counts};
use crate::pages::import::{source_text, when};
use crate::render;

#[derive(Template)]
#[template(path = "import/progress.html")]
struct ProgressPage {
    c: Chrome,
    file_name: String,
    /// `None` when this node does not run the import (another node does, or it just ended).
    percent: Option<u8>,
    phase: String,
}

#[derive(Template)]
#[template(path = "import/result.html")]
struct ResultPage {
    c: Chrome,
    base: String,
    file_name: String,
    source: &'static str,
    applied: String,
    counts: Vec<Count>,
    has_protocol: bool,
    letters: FormView,
}

#[derive(Template)]
#[template(path = "import/letters.html")]
struct LettersPage {
    c: Chrome,
    back_href: String,
    school: String,
    school_number: String,
    login_text: String,
    letters: Vec<LetterView>,
}

struct LetterView {
    name: String,
    class: String,
    login: String,
    mail: String,
    password: String,
}

pub fn progress_page(state: &AppState, r: &Ready, run: &RunView) -> Response {
    let tr = r.page.tr();
    let progress = state.platform.import_progress(run.id);
    let percent = progress.map(|(done, total, _)| {
        let p = done.min(total).saturating_mul(100) / total.max(1);
        u8::try_from(p).unwrap_or(100)
    });
    let phase = progress.map_or_else(String::new, |(_, _, phase)| {
        tr.lookup(&format!("import.phase.{phase}"))
            .map_or_else(|| phase.to_owned(), str::to_owned)
    });
    let view = ProgressPage {
        c: Chrome::new(&r.page, tr.t("import.progress_title")).signed_in(&r.page, &r.actor),
        file_name: run.file_name.clone(),
        percent,
        phase,
    };
    render::ok(&view)
}

fn letters_form(tr: Tr, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(
            tr,
            "letters-password",
            "protocol_password",
            "import.protocol_password",
        )
        .kind("password")
        .auto("off")
        .required(),
        Field::new(tr, "letters-class", "klasse", "import.letters_class")
            .hint(tr, "import.letters_class_hint"),
    ];
    FormView::new("letters", fields, failure)
}

pub fn result_page(r: &Ready, run: &RunView, failure: Option<&Failure>) -> Response {
    let tr = r.page.tr();
    let view = ResultPage {
        c: Chrome::new(&r.page, tr.t("import.result_title")).signed_in(&r.page, &r.actor),
        base: base_href(run.id),
        file_name: run.file_name.clone(),
        source: source_text(tr, &run.source),
        applied: run
            .applied_at
            .map_or_else(|| "–".to_owned(), |at| when(r, at)),
        counts: run.summary.map(|s| counts(tr, &s)).unwrap_or_default(),
        has_protocol: run.has_protocol,
        letters: letters_form(tr, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// The encrypted protocol archive as a download; it holds initial passwords, so no cache
/// keeps it.
pub async fn protocol(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.import_protocol(&r.actor, id).await {
        Ok(zip) => {
            let name = format!("importprotokoll-{}.zip", Utc::now().format("%Y-%m-%d"));
            (
                [
                    (header::CONTENT_TYPE, "application/zip".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                zip,
            )
                .into_response()
        }
        Err(e) => r.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LettersForm {
    #[serde(default)]
    protocol_password: String,
    #[serde(default)]
    klasse: String,
}

fn letter_views(classes: Vec<LetterClass>, only: &str) -> Vec<LetterView> {
    let only = only.trim().to_lowercase();
    classes
        .into_iter()
        .filter(|c| only.is_empty() || c.class.to_lowercase() == only)
        .flat_map(|c| {
            let class = c.class;
            c.letters.into_iter().map(move |l| LetterView {
                name: format!("{} {}", l.first_name, l.last_name),
                class: class.clone(),
                login: l.login,
                mail: l.mail,
                password: l.initial_password,
            })
        })
        .collect()
}

/// The initial-password letters, one per page when printed, opened with the protocol
/// password.
pub async fn letters(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<LettersForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let tr = r.page.tr();
    match state
        .platform
        .import_letters(&r.actor, id, &f.protocol_password)
        .await
    {
        Ok(classes) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty());
            let login_text = match host {
                Some(h) => tr.t("import.letter_text_at").replace("{host}", h),
                None => tr.t("import.letter_text").to_owned(),
            }
            .replace("{number}", &r.actor.school_number);
            let view = LettersPage {
                c: Chrome::new(&r.page, tr.t("import.letters_title")).signed_in(&r.page, &r.actor),
                back_href: base_href(id),
                school: r.actor.school_name.clone(),
                school_number: r.actor.school_number.clone(),
                login_text,
                letters: letter_views(classes, &f.klasse),
            };
            render::ok(&view)
        }
        Err(e) => {
            let failure = Failure::from_domain("letters", tr, &e);
            let input = PreviewInput {
                skip: &[],
                failure: Some(&failure),
                accept: false,
            };
            render_run(&state, &r, id, input).await
        }
    }
}
