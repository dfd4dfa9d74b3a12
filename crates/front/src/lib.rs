//! What the HTTP front-ends (pages and JSON API) share: the application state, the
//! session cookie, the client address, the language and the error mapping.

mod errors;
pub mod files;
mod lang;
mod session;
pub mod upload;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
pub use errors::{ErrorInfo, error_info};
pub use lang::Lang;
use schulhof_domain::Platform;
pub use session::{SESSION_COOKIE, expire_session_cookie, session_cookie, session_from_parts};

/// The cookie holding a conference guest's pass (set by the guest page, read by the guest
/// socket; issue 16).
pub const GUEST_COOKIE: &str = "schulhof_guest";

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub platform: Platform,
    /// Started with `--demo`: every page says so.
    pub demo: bool,
    /// Mark cookies `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_forwarded: bool,
}

/// The client's address, for the login log and throttling.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.trust_forwarded
            && let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
        {
            return Ok(ClientAddr(first.trim().to_owned()));
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "unknown".into())))
    }
}
