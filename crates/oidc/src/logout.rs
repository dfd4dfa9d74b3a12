//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the platform session
//! and leads back to the tool when it registered that exact URI. The session's other tools
//! hear of it: back-channel logout tokens are queued by the domain, and front-channel
//! logout URIs are loaded in hidden frames of a short goodbye page before going on.

use std::collections::HashMap;

use axum::extract::{Query, RawForm, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_front::{AppState, ClientAddr};

use crate::{errors, with_query};

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    addr: ClientAddr,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    handle(&state, &headers, addr, q).await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    addr: ClientAddr,
    RawForm(body): RawForm,
) -> Response {
    let q = url::form_urlencoded::parse(&body).into_owned().collect();
    handle(&state, &headers, addr, q).await
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    addr: ClientAddr,
    q: HashMap<String, String>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let target = state
        .platform
        .oidc_logout_target(
            get("id_token_hint"),
            get("client_id"),
            get("post_logout_redirect_uri"),
        )
        .await;
    let target = match target {
        Ok(t) => t,
        Err(e) => return errors::json(&e),
    };
    let jar = CookieJar::from_headers(headers);
    let mut front = Vec::new();
    if let Some(c) = jar.get(schulhof_front::SESSION_COOKIE) {
        match state.platform.logout_with_tools(c.value(), &addr.0).await {
            Ok(f) => front = f,
            Err(e) => tracing::error!(error = %e, "logout at the end-session endpoint failed"),
        }
    }
    let jar = CookieJar::new().add(schulhof_front::expire_session_cookie(state.secure_cookies));
    let to = match (target, get("state")) {
        (Some(t), Some(s)) => with_query(&t, &[("state", s)]),
        (Some(t), None) => t,
        (None, _) => "/?ok=logged_out".to_owned(),
    };
    if front.is_empty() {
        (jar, Redirect::to(&to)).into_response()
    } else {
        (jar, goodbye(&front, &to)).into_response()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The goodbye page: each tool's front-channel logout URI in a hidden frame (Front-Channel
/// Logout 1.0 §4), then on to `next` (after two seconds, or at once by the link).
fn goodbye(front: &[String], next: &str) -> Response {
    let frames: String = front
        .iter()
        .map(|u| {
            format!(
                "<iframe src=\"{}\" hidden title=\"logout\" width=\"0\" height=\"0\"></iframe>",
                escape(u)
            )
        })
        .collect();
    let next = escape(next);
    let body = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"2;url={next}\">\
         <title>Abgemeldet</title><link rel=\"stylesheet\" href=\"/static/app.css\">\
         </head><body><main id=\"inhalt\"><h1>Abgemeldet</h1>\
         <p role=\"status\">Die Abmeldung gilt auch für die verbundenen Werkzeuge.</p>\
         <p lang=\"en\">The logout applies to the connected tools too.</p>\
         <p><a href=\"{next}\">Weiter</a></p>{frames}</main></body></html>"
    );
    let mut r = axum::response::Html(body).into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    // The server's policy forbids foreign frames; this page frames exactly these origins.
    let origins: Vec<String> = front
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect();
    let csp = format!(
        "default-src 'self'; frame-src {}; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'; object-src 'none'",
        origins.join(" ")
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&csp) {
        h.insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    r
}
