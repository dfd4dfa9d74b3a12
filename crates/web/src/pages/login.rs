//! Logging in and out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_domain::DomainError;
use schulhof_front::{AppState, ClientAddr, SESSION_COOKIE, expire_session_cookie, session_cookie};
use serde::Deserialize;

use crate::auth::{forget_back, gate_then, optional_session};
use crate::forms::{Failure, Field, FormView};
use crate::layout::{Chrome, Page};
use crate::pages::oidc::{is_authorize, with_resume_csp};
use crate::render;
use crate::schools;
use crate::url;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    heading: String,
    /// The only school's number, sent along unseen.
    school_hidden: Option<String>,
    no_school: bool,
    form: FormView,
    /// Where the login leads (a local path), when a deep link brought the visitor here.
    back: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    schule: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    passwort: String,
    #[serde(default)]
    zurueck: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    zurueck: String,
    /// A connected tool demands a fresh login (`prompt=login`, `max_age`): the form is shown
    /// even to who is signed in.
    #[serde(default)]
    erneut: Option<String>,
}

/// The target of a deep link, if it is a local path other than the start page.
fn back_of(raw: &str) -> Option<String> {
    Some(url::local_path(raw.trim()))
        .filter(|t| *t != "/")
        .map(str::to_owned)
}

/// `GET /anmelden`: the login form, remembering where the visitor wanted to go. Who is
/// signed in already goes there at once; who is held at a gate goes there first, the
/// target waiting (a tool's authorization request would send a gated session back here).
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Query(q): Query<BackQuery>,
) -> Response {
    let back = back_of(&q.zurueck);
    if q.erneut.is_none()
        && let Some(session) = optional_session(&state, &headers).await
    {
        if let Some(gate) = session.gate {
            let jar = CookieJar::from_headers(&headers);
            return gate_then(jar, gate, back, state.secure_cookies);
        }
        return Redirect::to(back.as_deref().unwrap_or("/")).into_response();
    }
    let input = LoginForm {
        zurueck: back.unwrap_or_default(),
        ..LoginForm::default()
    };
    render_form(&state, &page, &input, None).await
}

/// The login form, empty.
pub async fn form_page(state: &AppState, page: &Page) -> Response {
    render_form(state, page, &LoginForm::default(), None).await
}

async fn render_form(
    state: &AppState,
    page: &Page,
    input: &LoginForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = page.tr();
    let schools = schools::list(state).await;
    let single = match schools.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let heading = single
        .as_ref()
        .map_or_else(|| tr.t("login.heading").to_owned(), |s| s.name.clone());
    let mut fields = Vec::new();
    if single.is_none() {
        let prefill = match (input.schule.trim(), state.demo) {
            ("", true) => schulhof_domain::school::DEMO_SCHOOL.to_owned(),
            (v, _) => v.to_owned(),
        };
        fields.push(
            Field::new(tr, "schule", "schule", "field.school")
                .value(prefill)
                .auto("on")
                .required()
                .hint(tr, "login.school_hint"),
        );
    }
    fields.push(
        Field::new(tr, "login", "login", "field.login_or_mail")
            .value(input.login.trim())
            .auto("username")
            .required(),
    );
    fields.push(
        Field::new(tr, "passwort", "passwort", "field.password")
            .kind("password")
            .auto("current-password")
            .required(),
    );
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    let c = Chrome::new(page, tr.t("login.title"));
    let view = LoginPage {
        c,
        heading,
        no_school: schools.is_empty(),
        school_hidden: single.map(|s| s.number),
        form: FormView::new("login", fields, failure),
        back: back_of(&input.zurueck),
    };
    // A tool's login ends at the tool: the form's redirect chain must be allowed there.
    with_resume_csp(
        render::html(status, &view),
        view.back.as_deref().unwrap_or(""),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Form(input): Form<LoginForm>,
) -> Response {
    let result = state
        .platform
        .login(&input.schule, &input.login, &input.passwort, &addr)
        .await;
    match result {
        Ok(session) => {
            // The session this browser carried before ends: a login never keeps an old
            // (possibly planted) cookie valid; its tool sessions move to the new one.
            if let Some(old) = jar.get(SESSION_COOKIE)
                && let Err(e) = state
                    .platform
                    .replace_session(old.value(), &session.cookie, &addr)
                    .await
            {
                tracing::error!(error = %e, "ending the replaced session failed");
            }
            // A target left from an earlier visit gives way to this login's own.
            let cookie = session.cookie.clone();
            let jar = forget_back(jar).add(session_cookie(session.cookie, state.secure_cookies));
            // A gated session meets its gate on the way; the gate remembers the target.
            // A tool's request does not: it sends a gated session back to log in.
            let target = back_of(&input.zurueck).unwrap_or_else(|| "/".to_owned());
            if is_authorize(&target)
                && let Some(gate) = gate_of(&state, &cookie).await
            {
                return gate_then(jar, gate, Some(target), state.secure_cookies);
            }
            (jar, Redirect::to(&target)).into_response()
        }
        Err(e) => {
            let failure = Failure::from_domain("login", page.tr(), &e);
            let response = render_form(&state, &page, &input, Some(&failure)).await;
            with_retry_after(response, &e)
        }
    }
}

/// The gate a fresh session is held at, if any.
async fn gate_of(state: &AppState, cookie: &str) -> Option<schulhof_domain::identity::Gate> {
    match state.platform.session(cookie).await {
        Ok(s) => s.gate,
        Err(e) => {
            tracing::error!(error = %e, "reading the new session failed");
            None
        }
    }
}

/// A refused login page; throttled or busy, it says when to come back. The page itself
/// keeps what was typed and nothing redirects, so a busy server never sees a loop.
pub(crate) fn with_retry_after(mut response: Response, e: &DomainError) -> Response {
    if let DomainError::Throttled { retry_after_secs } | DomainError::Busy { retry_after_secs } = e
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Ends this session; works with an ended or gated session too. Connected tools with a
/// front-channel logout URI are logged out in hidden frames of a goodbye page.
pub async fn logout(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
) -> Response {
    let mut frames = Vec::new();
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        match state
            .platform
            .logout_with_tools(cookie.value(), &addr)
            .await
        {
            Ok(f) => frames = f,
            Err(e) => tracing::error!(error = %e, "logout failed"),
        }
    }
    let jar = jar.add(expire_session_cookie(state.secure_cookies));
    if frames.is_empty() {
        (jar, Redirect::to("/?ok=logged_out")).into_response()
    } else {
        (jar, crate::pages::oidc::goodbye(&page, frames)).into_response()
    }
}
