//! HTTP Basic authentication of WebDAV clients: `login@schulnummer` and the password.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use schulhof_domain::DomainError;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;

const REALM: &str = "Basic realm=\"Schulhof (Anmeldename@Schulnummer)\", charset=\"UTF-8\"";

/// The caller, or the response that asks for (other) credentials.
pub(super) async fn actor(
    state: &AppState,
    headers: &HeaderMap,
    client: &str,
) -> Result<Arc<Actor>, Response> {
    let Some((user, password)) = credentials(headers) else {
        return Err(challenge(
            "Anmeldung erforderlich: Anmeldename@Schulnummer und Passwort.",
        ));
    };
    match state.platform.basic_actor(&user, &password, client).await {
        Ok(a) => Ok(Arc::new(a)),
        Err(DomainError::BadCredentials | DomainError::SessionEnded) => {
            Err(challenge("Schulnummer, Anmeldename oder Passwort falsch."))
        }
        Err(e) => {
            let info = schulhof_front::error_info(&e);
            let mut r = (info.status, info.message).into_response();
            if let Some(s) = info.retry_after
                && let Ok(v) = HeaderValue::from_str(&s.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Err(r)
        }
    }
}

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn challenge(message: &'static str) -> Response {
    let mut r = (StatusCode::UNAUTHORIZED, message).into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    r
}
