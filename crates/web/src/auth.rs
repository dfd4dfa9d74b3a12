//! Who is asking: extractors that turn the session cookie into an actor, and send everyone
//! else where they belong (to the login page, or to the consent or password gate).

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_domain::DomainError;
use schulhof_domain::identity::{Actor, Gate, Session};
use schulhof_front::{AppState, ClientAddr, session_from_parts};

use crate::layout::Page;
use crate::pages::errors;
use crate::url;

/// The path of the page that clears a gate.
pub fn gate_path(gate: Gate) -> &'static str {
    match gate {
        Gate::PasswordChange => "/konto/passwort-setzen",
        Gate::Consent => "/zustimmung",
    }
}

/// A signed-in account with nothing in its way.
pub struct Ready {
    pub actor: Actor,
    pub page: Page,
    pub addr: String,
}

impl Ready {
    /// The answer to a failed domain call: a redirect when the session is gone or gated,
    /// otherwise the error page with the matching status.
    pub fn fail(&self, e: DomainError) -> Response {
        errors::domain_error(&self.page, Some(&self.actor), &e)
    }
}

impl FromRequestParts<AppState> for Ready {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let page = Page::from_parts(parts, state);
        let session = match session_from_parts(parts, state).await {
            Ok(s) => s,
            Err(DomainError::SessionEnded) => return Err(to_login(parts)),
            Err(e) => return Err(errors::domain_error(&page, None, &e)),
        };
        if let Some(gate) = session.gate {
            return Err(to_gate(parts, gate, state.secure_cookies));
        }
        let addr = client_addr(parts, state).await;
        Ok(Ready {
            page: page.for_actor(&session.actor),
            actor: session.actor,
            addr,
        })
    }
}

/// The page a GET request asked for, as a local path with its query; `None` for other
/// methods (a form sent after the session ended cannot be replayed anyway).
fn wanted(parts: &Parts) -> Option<String> {
    if parts.method != Method::GET {
        return None;
    }
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let target = url::local_path(target);
    (target != "/").then(|| target.to_owned())
}

/// To the login page, carrying the page asked for so the login leads back to it.
fn to_login(parts: &Parts) -> Response {
    match wanted(parts) {
        Some(t) => Redirect::to(&format!("{LOGIN}?{BACK}={}", url::encode(&t))).into_response(),
        None => Redirect::to(LOGIN).into_response(),
    }
}

/// To a gate; the page asked for waits in a short-lived cookie until the gates are passed.
fn to_gate(parts: &Parts, gate: Gate, secure: bool) -> Response {
    gate_then(CookieJar::new(), gate, wanted(parts), secure)
}

/// To `gate`, with `target` (a local path) waiting in `jar` until the gates are passed.
pub fn gate_then(jar: CookieJar, gate: Gate, target: Option<String>, secure: bool) -> Response {
    let redirect = Redirect::to(gate_path(gate));
    match target {
        Some(t) => (jar.add(back_cookie(t, secure)), redirect).into_response(),
        None => (jar, redirect).into_response(),
    }
}

/// The login page.
pub const LOGIN: &str = "/anmelden";
/// The query parameter and form field that carry where to go after the login.
pub const BACK: &str = "zurueck";
/// The cookie that keeps that target while the consent and password gates are passed
/// (a browser-session cookie, cleared when used and replaced at every login).
const BACK_COOKIE: &str = "schulhof_zurueck";

/// Remembers `target` (a local path) for after the gates.
fn back_cookie(target: String, secure: bool) -> Cookie<'static> {
    // Encoded: a query may hold commas or semicolons, which a cookie value must not.
    Cookie::build((BACK_COOKIE, url::encode(&target)))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

/// Where to go once the last gate is passed: the remembered target (and the cookie is
/// cleared), else `default`.
pub fn after_gates(jar: CookieJar, default: &str) -> Response {
    match waiting_target(&jar) {
        Some(t) => (forget_back(jar), Redirect::to(&t)).into_response(),
        None => Redirect::to(default).into_response(),
    }
}

/// The target waiting behind the gates, if any.
pub fn waiting_target(jar: &CookieJar) -> Option<String> {
    jar.get(BACK_COOKIE)
        .map(|c| url::local_path(&url::decode(c.value())).to_owned())
        .filter(|t| t != "/")
}

/// Drops a remembered target (used, or left over from an earlier visit).
pub fn forget_back(jar: CookieJar) -> CookieJar {
    if jar.get(BACK_COOKIE).is_none() {
        return jar;
    }
    jar.add(Cookie::build((BACK_COOKIE, "")).path("/").removal().build())
}

/// A valid session, gated or not: for the gate pages themselves.
pub struct Gated {
    pub session: Session,
    pub page: Page,
    pub addr: String,
}

impl FromRequestParts<AppState> for Gated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let page = Page::from_parts(parts, state);
        let session = session_from_parts(parts, state)
            .await
            .map_err(|e| errors::domain_error(&page, None, &e))?;
        let addr = client_addr(parts, state).await;
        Ok(Gated {
            page: page.for_actor(&session.actor),
            session,
            addr,
        })
    }
}

async fn client_addr(parts: &mut Parts, state: &AppState) -> String {
    match ClientAddr::from_request_parts(parts, state).await {
        Ok(ClientAddr(a)) => a,
        Err(never) => match never {},
    }
}

/// The session behind the request's cookie, if any; for pages that also serve visitors.
pub async fn optional_session(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Option<Session> {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    let cookie = jar.get(schulhof_front::SESSION_COOKIE)?;
    match state.platform.session(cookie.value()).await {
        Ok(s) => Some(s),
        Err(DomainError::SessionEnded) => None,
        Err(e) => {
            tracing::error!(error = %e, "reading a session failed");
            None
        }
    }
}
