//! `/safe/passwoerter`: the Schulleitung generates Safe passwords — for many teachers at
//! once, chosen from a list, with a printable letter per teacher — or for one login; the
//! admin asks for a forgotten one to be reset (the Schulleitung confirms). Every owner is
//! asked to choose their own Safe password when they first open the Safe with it.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use schulhof_types::RightId;
use serde::Deserialize;

use super::{manages_passwords, password_shown};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "safe/passwords.html")]
struct PasswordsPage {
    c: Chrome,
    form: FormView,
    /// The Schulleitung's list; `None` for the admin, who only asks for resets.
    candidates: Option<Vec<Candidate>>,
    bulk_error: Option<&'static str>,
}

struct Candidate {
    login: String,
    name: String,
    state: &'static str,
    /// Pre-ticked: who has no Safe password yet.
    tick: bool,
}

#[derive(Template)]
#[template(path = "safe/letters.html")]
struct LettersPage {
    c: Chrome,
    school: String,
    date: String,
    letters: Vec<Letter>,
}

struct Letter {
    name: String,
    login: String,
    password: String,
}

async fn candidates(state: &AppState, r: &Ready) -> Result<Option<Vec<Candidate>>, Response> {
    if !r.actor.token.has(RightId::SafeAdmin) {
        return Ok(None);
    }
    let tr = r.page.tr();
    let list = match state.platform.safe_password_candidates(&r.actor).await {
        Ok(l) => l,
        Err(e) => return Err(r.fail(e)),
    };
    let rows = list
        .into_iter()
        .map(|c| Candidate {
            state: if c.waits_for_own() {
                tr.t("admin.safe.state_generated")
            } else if c.has_password() {
                tr.t("admin.safe.state_own")
            } else {
                tr.t("admin.safe.state_none")
            },
            tick: !c.has_password(),
            name: format!("{} {}", c.first_name, c.last_name),
            login: c.login,
        })
        .collect();
    Ok(Some(rows))
}

async fn passwords_page(
    state: &AppState,
    r: &Ready,
    login: &str,
    failure: Option<&Failure>,
    bulk_error: Option<&'static str>,
) -> Response {
    let tr = r.page.tr();
    let candidates = match candidates(state, r).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let field = Field::new(tr, "safe-login", "login", "field.login")
        .value(login)
        .hint(tr, "safe.passwords.login_hint")
        .required()
        .answers(&["login", "target"]);
    let view = PasswordsPage {
        c: Chrome::new(&r.page, tr.t("safe.passwords.title")).signed_in(&r.page, &r.actor),
        form: FormView::new("generate", vec![field], failure),
        candidates,
        bulk_error,
    };
    let status = match (failure, bulk_error) {
        (Some(f), _) => f.status,
        (None, Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, None) => StatusCode::OK,
    };
    render::html(status, &view)
}

/// `GET /safe/passwoerter`: for the Schulleitung and the admin only.
pub async fn passwords(State(state): State<AppState>, r: Ready) -> Response {
    if !manages_passwords(&r.actor) {
        return r.fail(DomainError::NotFound);
    }
    passwords_page(&state, &r, "", None, None).await
}

/// `POST /safe/passwoerter/briefe`: new Safe passwords for the ticked logins (`login`,
/// repeated), shown this once as letters to print.
pub async fn letters(State(state): State<AppState>, r: Ready, body: Bytes) -> Response {
    if !r.actor.token.has(RightId::SafeAdmin) {
        return r.fail(DomainError::NotFound);
    }
    let tr = r.page.tr();
    let body = String::from_utf8_lossy(&body);
    let logins: Vec<String> = url::all_values(Some(&body), "login")
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if logins.is_empty() {
        let none = tr.t("admin.safe.none_chosen");
        return passwords_page(&state, &r, "", None, Some(none)).await;
    }
    match state
        .platform
        .safe_generate_passwords(&r.actor, &logins)
        .await
    {
        Ok(made) => {
            let letters = made
                .into_iter()
                .map(|g| Letter {
                    name: format!("{} {}", g.first_name, g.last_name),
                    login: g.login,
                    password: g.password,
                })
                .collect();
            letters_page(&r, tr, letters)
        }
        Err(e @ (DomainError::NotFound | DomainError::Denied(_) | DomainError::Invalid { .. })) => {
            tracing::info!(error = %e, "bulk Safe passwords refused");
            let refused = tr.t("admin.safe.refused");
            passwords_page(&state, &r, "", None, Some(refused)).await
        }
        Err(e) => r.fail(e),
    }
}

/// One letter per teacher; the print style sheet puts each on its own page.
fn letters_page(r: &Ready, tr: Tr, letters: Vec<Letter>) -> Response {
    let zone = Zone::of(&r.actor);
    let view = LettersPage {
        c: Chrome::new(&r.page, tr.t("admin.safe.letters_title")).signed_in(&r.page, &r.actor),
        school: r.actor.school_name.clone(),
        date: zone.date(tr, chrono::Utc::now()),
        letters,
    };
    render::ok(&view)
}

#[derive(Debug, Default, Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    login: String,
}

/// `POST /safe/passwoerter`: a new Safe password for a login, shown this once.
pub async fn generate(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<GenerateForm>,
) -> Response {
    let tr = r.page.tr();
    if !manages_passwords(&r.actor) {
        return r.fail(DomainError::NotFound);
    }
    let login = f.login.trim().to_lowercase();
    if login.is_empty() {
        let failure = Failure::local("generate", "login", tr.t("safe.passwords.login_empty"));
        return passwords_page(&state, &r, &f.login, Some(&failure), None).await;
    }
    // The admin never sees a Safe password: hers is a request the Schulleitung confirms.
    let p = &state.platform;
    let result = if r.actor.token.has(RightId::SafeAdmin) {
        p.safe_generate_password(&r.actor, &login).await.map(Some)
    } else {
        p.request_safe_password_reset(&r.actor, &login)
            .await
            .map(|()| None)
    };
    match result {
        Ok(Some(password)) => password_shown(&r, login, password),
        Ok(None) => Redirect::to(&format!(
            "{}?ok=safe_password_requested",
            crate::pages::four_eyes::PATH
        ))
        .into_response(),
        Err(e) => {
            let failure = match e {
                DomainError::NotFound => Failure {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..Failure::local("generate", "login", tr.t("safe.passwords.no_login"))
                },
                DomainError::Denied(schulhof_authz::Denied::NotGrantable { .. }) => {
                    Failure::local("generate", "login", tr.t("safe.passwords.not_for"))
                }
                e => Failure::from_domain("generate", tr, &e),
            };
            passwords_page(&state, &r, &f.login, Some(&failure), None).await
        }
    }
}
