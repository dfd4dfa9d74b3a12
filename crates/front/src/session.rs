//! The session cookie: `HttpOnly`, `SameSite=Lax`, `Secure` when served over HTTPS.

use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_domain::DomainError;
use schulhof_domain::identity::Session;

use crate::AppState;

pub const SESSION_COOKIE: &str = "schulhof_session";

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}

pub fn expire_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure);
    c.make_removal();
    c
}

/// The session of a request, gated or not; `SessionEnded` without a valid cookie.
pub async fn session_from_parts(parts: &Parts, state: &AppState) -> Result<Session, DomainError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let cookie = jar.get(SESSION_COOKIE).ok_or(DomainError::SessionEnded)?;
    state.platform.session(cookie.value()).await
}
