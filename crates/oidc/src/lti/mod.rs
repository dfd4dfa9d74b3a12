//! LTI 1.3 endpoints (issue 18): launches and the tool's authentication requests
//! ([`launch`]), the token endpoint of the services and NRPS/AGS ([`services`]). Requests
//! are parsed and answered here; every decision is `Platform::lti_*`'s and the policy's.

mod launch;
mod services;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use schulhof_domain::identity::Actor;
use schulhof_domain::lti::path;
use schulhof_front::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lti/post.js", get(launch::post_js))
        .route("/lti/start/{activity}", get(launch::start))
        .route("/lti/auswahl/{section}", get(launch::pick))
        .route(
            path::AUTHORIZE,
            get(launch::authorize_get).post(launch::authorize_post),
        )
        .route(path::DEEP_LINK_RETURN, post(launch::deep_link_return))
        .route(path::TOKEN, post(services::token))
        .route(
            "/lti/dienste/{school}/{course}/mitglieder",
            get(services::members),
        )
        .route(
            "/lti/dienste/{school}/{course}/bewertungen",
            get(services::line_items).post(services::add_line_item),
        )
        .route(
            "/lti/dienste/{school}/{course}/bewertungen/{item}",
            get(services::line_item)
                .put(services::update_line_item)
                .delete(services::delete_line_item),
        )
        .route(
            "/lti/dienste/{school}/{course}/bewertungen/{item}/results",
            get(services::results),
        )
        .route(
            "/lti/dienste/{school}/{course}/bewertungen/{item}/scores",
            post(services::score),
        )
}

/// The LTI paths a tool posts to from its own origin: none reads a cookie (the deep linking
/// response is a JWT signed by the tool, the services take bearer tokens).
pub fn csrf_exempt(p: &str) -> bool {
    p == path::TOKEN || p == path::DEEP_LINK_RETURN || p.starts_with("/lti/dienste/")
}

/// The logged-in person of the request (a login held at a gate does not count).
async fn actor(state: &AppState, headers: &HeaderMap) -> Option<Actor> {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    let c = jar.get(schulhof_front::SESSION_COOKIE)?;
    // The lean read (every LTI endpoint with a person answers with a redirect or a form
    // that posts itself, never a page of the platform).
    let s = state.platform.acting_session(c.value()).await.ok()?;
    s.gate.is_none().then_some(s.actor)
}

/// Text for an HTML attribute or element.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}
