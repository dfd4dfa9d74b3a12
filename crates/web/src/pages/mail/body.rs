//! `/mail/nachricht/{id}/inhalt`: the sanitised HTML body of a message as a document of its
//! own, for the sandboxed frame of the message page.
//!
//! Why a frame and not the page itself: mail HTML needs inline styles and, once the reader
//! asks, images from other hosts, both of which the platform's page policy forbids (and
//! should keep forbidding). A document of its own gets its own, strict policy: no scripts
//! (`sandbox` without `allow-scripts`, so also a unique origin without the session's
//! cookies), no forms, no plugins, no fonts or frames from elsewhere; images only from the
//! message itself (as `data:` URLs) unless `?bilder=1`; framed only by our own pages. ammonia has removed
//! the dangerous parts before, so either layer alone would hold.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;

use super::message::ReadQuery;
use super::{parse_message, sanitize, view};
use crate::auth::Ready;

/// The policy of the frame's document; `{img}` is where images may come from.
const CSP: &str = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src {img}; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The frame's whole document: the body, with a readable default look.
fn document(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{{font-family:system-ui,sans-serif;line-height:1.5;margin:0.5rem;color:#1b1b1b;background:#fff;overflow-wrap:anywhere}}img{{max-width:100%;height:auto}}</style></head><body>{body}</body></html>"
    )
}

pub async fn html(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Response {
    let images = q.bilder.as_deref() == Some("1");
    let result: Result<String, DomainError> = async {
        let id = parse_message(&id)?;
        let raw = state.platform.mail_raw(&r.actor, id).await?;
        let v = view::parse(&raw).ok_or(DomainError::NotFound)?;
        let html = v.html.as_deref().ok_or(DomainError::NotFound)?;
        Ok(sanitize::clean(html, view::inline_images(&raw), images).html)
    }
    .await;
    let body = match result {
        Ok(b) => b,
        Err(e) => return r.fail(e),
    };
    let img = if images {
        "data: https: http:"
    } else {
        "data:"
    };
    let mut resp = document(&body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&CSP.replace("{img}", img)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    // Our own message page frames it; the platform's default forbids every frame.
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
