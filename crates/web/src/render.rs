//! Turning a template into a response.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Renders `t` with `status`. Pages carry personal data, so no cache keeps them (the back
/// button after logout must not show them again).
pub fn html<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

pub fn ok<T: Template>(t: &T) -> Response {
    html(StatusCode::OK, t)
}
