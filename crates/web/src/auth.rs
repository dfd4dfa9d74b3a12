//! Who is asking: extractors that turn the session cookie into an actor, and send everyone
//! else where they belong (to the login page, or to the consent or password gate).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::identity::{Actor, Gate, Session};
use schulhof_front::{AppState, ClientAddr, session_from_parts};

use crate::layout::Page;
use crate::pages::errors;

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
        let session = session_from_parts(parts, state)
            .await
            .map_err(|e| errors::domain_error(&page, None, &e))?;
        if let Some(gate) = session.gate {
            return Err(Redirect::to(gate_path(gate)).into_response());
        }
        let addr = client_addr(parts, state).await;
        Ok(Ready {
            actor: session.actor,
            page,
            addr,
        })
    }
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
            session,
            page,
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
