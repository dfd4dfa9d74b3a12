//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the platform session
//! and leads back to the tool when it registered that exact URI.

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
    if let Some(c) = jar.get(schulhof_front::SESSION_COOKIE)
        && let Err(e) = state.platform.logout(c.value(), &addr.0).await
    {
        tracing::error!(error = %e, "logout at the end-session endpoint failed");
    }
    let jar = CookieJar::new().add(schulhof_front::expire_session_cookie(state.secure_cookies));
    let to = match (target, get("state")) {
        (Some(t), Some(s)) => with_query(&t, &[("state", s)]),
        (Some(t), None) => t,
        (None, _) => "/?ok=logged_out".to_owned(),
    };
    (jar, Redirect::to(&to)).into_response()
}
