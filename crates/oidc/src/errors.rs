//! Error answers: JSON for the back-channel endpoints (RFC 6749 §5.2), a plain page for a
//! request that cannot be sent back to a tool (unknown client, unregistered redirect URI).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use schulhof_domain::oidc::OidcError;
use serde_json::json;

/// The JSON error of the token, revocation and userinfo endpoints.
pub fn json(e: &OidcError) -> Response {
    json_for(e, "")
}

/// [`json`] for a request that named the tool `client` (logged with the refusal; never a
/// secret, code or token).
pub fn json_for(e: &OidcError, client: &str) -> Response {
    let status = match e {
        OidcError::InvalidClient | OidcError::InvalidToken => StatusCode::UNAUTHORIZED,
        OidcError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut body = json!({ "error": e.code() });
    if let Some(d) = e.description() {
        body["error_description"] = d.into();
    }
    // A server error is logged where it happened; a refusal is logged here.
    if *e != OidcError::ServerError {
        tracing::warn!(
            error = e.code(),
            detail = e.description().unwrap_or(""),
            client = %short(client),
            "OIDC request refused"
        );
    }
    let mut r = (status, Json(body)).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match e {
        OidcError::InvalidClient => {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"schulhof\""),
            );
        }
        OidcError::InvalidToken => {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        _ => {}
    }
    r
}

/// The page for a request that must not be redirected: German and English, no script.
pub fn page(reason: &str) -> Response {
    page_for(reason, "")
}

/// [`page`] for a request that named the tool `client` (logged with the refusal).
pub fn page_for(reason: &str, client: &str) -> Response {
    tracing::warn!(
        reason,
        client = %short(client),
        "OIDC authorization request refused with an error page"
    );
    let (de, en) = match reason {
        "redirect_uri" => (
            "Die Rücksprungadresse ist für dieses Werkzeug nicht registriert.",
            "The redirect URI is not registered for this tool.",
        ),
        "unknown_client" => (
            "Dieses Werkzeug ist hier nicht bekannt.",
            "This tool is not known here.",
        ),
        _ => (
            "Die Anmeldung beim Werkzeug ist gerade nicht möglich.",
            "Logging in to the tool is not possible at the moment.",
        ),
    };
    let body = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Anmeldung nicht möglich</title><link rel=\"stylesheet\" href=\"/static/app.css\">\
         </head><body><main id=\"inhalt\"><h1>Anmeldung beim Werkzeug nicht möglich</h1>\
         <p>{de}</p><p lang=\"en\">{en} (<code>{reason}</code>)</p>\
         <p><a href=\"/\">Zur Startseite</a></p></main></body></html>"
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// What a request named as its client, made safe for one log line: at most 80 characters,
/// control characters dropped (a forged client id must not fake log lines).
fn short(client: &str) -> String {
    client
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect()
}
