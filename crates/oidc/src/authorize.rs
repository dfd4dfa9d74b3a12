//! The authorization endpoint (OIDC Core §3.1.2): code flow only. An unknown tool or an
//! unregistered redirect URI gets an error page; every later error goes back to the tool.
//! Nobody logged in: to the login page and back; consent missing: to the consent screen
//! and back.

use std::collections::HashMap;

use axum::extract::{Query, RawForm, State};
use axum::http::HeaderMap;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_domain::oidc::{AuthFailure, AuthRequest, Authorized};
use schulhof_front::AppState;

use crate::{AUTHORIZE, CONSENT, errors, issuer, with_query};

/// Set by the consent screen when the person cancelled.
pub const CANCELLED: &str = "schulhof_abgebrochen";
/// Set on the way back from a login this endpoint demanded: the login must be at or after
/// this unix second (replaces `prompt=login` and `max_age`, which would loop).
pub const LOGIN_SINCE: &str = "schulhof_seit";

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let query = uri.query().unwrap_or("").to_owned();
    handle(&state, &headers, q, query).await
}

/// The same request sent as a form (OIDC Core allows POST).
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let query = String::from_utf8_lossy(&body).into_owned();
    let q: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    handle(&state, &headers, q, query).await
}

fn request(q: &HashMap<String, String>) -> AuthRequest {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    AuthRequest {
        client_id: get("client_id").unwrap_or_default(),
        redirect_uri: get("redirect_uri").unwrap_or_default(),
        response_type: get("response_type").unwrap_or_default(),
        scope: get("scope").unwrap_or_default(),
        state: get("state"),
        nonce: get("nonce"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        prompt: get("prompt"),
        max_age: get("max_age"),
        login_since: get(LOGIN_SINCE).and_then(|v| v.parse().ok()),
        issuer: String::new(),
        cancelled: q.contains_key(CANCELLED),
    }
}

/// This request again, asking for a login at or after `since` instead of `prompt=login`
/// and `max_age`.
fn again_after_login(q: &HashMap<String, String>, since: i64) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    let mut keys: Vec<&String> = q.keys().collect();
    keys.sort();
    for k in keys {
        if !matches!(k.as_str(), "prompt" | "max_age" | LOGIN_SINCE) {
            s.append_pair(k, &q[k]);
        }
    }
    s.append_pair(LOGIN_SINCE, &since.to_string());
    again(&s.finish())
}

/// This request again, as a local path (where login and consent lead back to).
fn again(query: &str) -> String {
    format!("{AUTHORIZE}?{query}")
}

fn percent(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    q: HashMap<String, String>,
    query: String,
) -> Response {
    let mut r = request(&q);
    r.issuer = issuer(state, headers);
    let jar = CookieJar::from_headers(headers);
    // The lean read: login, school, hold and rights in one statement, none of the web
    // shell's counts (this endpoint only redirects).
    let session = match jar.get(schulhof_front::SESSION_COOKIE) {
        Some(c) => state.platform.acting_session(c.value()).await.ok(),
        None => None,
    };
    // A login held at a gate (terms, new password) is not yet logged in for a tool.
    let actor = session.filter(|s| s.gate.is_none()).map(|s| s.actor);
    let iss = issuer(state, headers);
    let st = r.state.clone().unwrap_or_default();
    let mut back: Vec<(&str, &str)> = Vec::new();
    if !st.is_empty() {
        back.push(("state", &st));
    }
    back.push(("iss", &iss));
    match state.platform.oidc_authorize(actor.as_ref(), &r).await {
        Ok(Authorized::Code { redirect_uri, code }) => {
            let mut p = vec![("code", code.as_str())];
            p.extend(back);
            Redirect::to(&with_query(&redirect_uri, &p)).into_response()
        }
        Ok(Authorized::Login) => {
            Redirect::to(&format!("/anmelden?zurueck={}", percent(&again(&query)))).into_response()
        }
        Ok(Authorized::Reauthenticate { since }) => Redirect::to(&format!(
            "/anmelden?erneut=1&zurueck={}",
            percent(&again_after_login(&q, since))
        ))
        .into_response(),
        Ok(Authorized::Consent) => {
            Redirect::to(&format!("{CONSENT}?weiter={}", percent(&again(&query)))).into_response()
        }
        Err(AuthFailure::BadClient(reason)) => errors::page_for(reason, &r.client_id),
        Err(AuthFailure::Redirect {
            redirect_uri,
            error,
        }) => {
            tracing::warn!(error = error.code(), client = %r.client_id, "OIDC authorization refused");
            let mut p = vec![("error", error.code())];
            if let Some(d) = error.description() {
                p.push(("error_description", d));
            }
            p.extend(back);
            Redirect::to(&with_query(&redirect_uri, &p)).into_response()
        }
    }
}
