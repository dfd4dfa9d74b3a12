//! `/zustimmung`: the terms of use and privacy policy at first login (and after a new
//! version). Accepting needs both; declining leaves the account without access. Accepted,
//! the page asked for before (possibly a tool's authorization request) follows.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_domain::DomainError;
use schulhof_domain::identity::{Gate, Session};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::{Gated, gate_path, waiting_target};
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::errors;
use crate::pages::views::{MessagePage, paragraphs};
use crate::render;

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    c: Chrome,
    terms: Vec<String>,
    privacy: Vec<String>,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(default)]
    antwort: String,
    #[serde(default)]
    datenschutz: Option<String>,
}

/// Only a session held at the consent gate belongs here.
fn misplaced(session: &Session) -> Option<Response> {
    match session.gate {
        Some(Gate::Consent) => None,
        Some(other) => Some(Redirect::to(gate_path(other)).into_response()),
        None => Some(Redirect::to("/").into_response()),
    }
}

pub async fn show(State(state): State<AppState>, g: Gated, jar: CookieJar) -> Response {
    if let Some(r) = misplaced(&g.session) {
        return r;
    }
    render_page(&state, &g, &jar, None).await
}

async fn render_page(
    state: &AppState,
    g: &Gated,
    jar: &CookieJar,
    failure: Option<&Failure>,
) -> Response {
    let page = &g.page;
    let tr = page.tr();
    let actor = &g.session.actor;
    let texts = match state.platform.consent_texts(actor).await {
        Ok(Some(t)) => t,
        Ok(None) => return Redirect::to("/").into_response(),
        Err(e) => return errors::domain_error(page, None, &e),
    };
    let field = Field::new(tr, "datenschutz", "datenschutz", "consent.privacy_check")
        .kind("checkbox")
        .required();
    let view = ConsentPage {
        c: Chrome::new(page, tr.t("consent.title")).gated(actor),
        terms: paragraphs(&texts.terms),
        privacy: paragraphs(&texts.privacy),
        form: FormView::new("consent", vec![field], failure),
    };
    let status = failure.map_or(axum::http::StatusCode::OK, |f| f.status);
    // Accepting may resume a tool's login, which ends at the tool.
    let waiting = waiting_target(jar).unwrap_or_default();
    crate::pages::oidc::with_resume_csp(render::html(status, &view), &waiting)
}

pub async fn answer(
    State(state): State<AppState>,
    g: Gated,
    jar: CookieJar,
    Form(a): Form<Answer>,
) -> Response {
    if let Some(r) = misplaced(&g.session) {
        return r;
    }
    let accept = a.antwort == "annehmen";
    let privacy = a.datenschutz.is_some();
    if accept && !privacy {
        let f = Failure::local(
            "consent",
            "datenschutz",
            g.page.tr().t("consent.privacy_missing"),
        );
        return render_page(&state, &g, &jar, Some(&f)).await;
    }
    let actor = &g.session.actor;
    match state
        .platform
        .give_consent(actor, accept, privacy, &g.addr)
        .await
    {
        Ok(()) => crate::auth::after_gates(jar, "/?ok=consent_given"),
        Err(DomainError::ConsentDeclined) => declined(&g),
        Err(e) => errors::domain_error(&g.page, None, &e),
    }
}

fn declined(g: &Gated) -> Response {
    let tr = g.page.tr();
    let view = MessagePage {
        c: Chrome::new(&g.page, tr.t("consent.declined_title")).gated(&g.session.actor),
        heading: tr.t("consent.declined_title"),
        paragraphs: vec![tr.t("consent.declined_text").to_owned()],
        link: Some(("/zustimmung", tr.t("consent.declined_back"))),
        logout: true,
    };
    render::html(axum::http::StatusCode::FORBIDDEN, &view)
}
