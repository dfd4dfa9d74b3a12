//! `/schule/<nr>/feed.rss`, `feed.atom`, `feed.json`: the public feeds. Answered from the
//! domain's in-memory copy, with `ETag` and `Last-Modified`; `304` on a matching
//! `If-None-Match` or (without one) a not-older `If-Modified-Since`. An unreadable
//! `If-Modified-Since` is ignored, as HTTP says. No cookie, no session.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::news::feed::{FeedDoc, FeedFormat};
use schulhof_front::AppState;

use crate::pages::links::absolute_url;

/// `GET /schule/{nr}/feed.rss`.
pub async fn rss(state: State<AppState>, nr: Path<String>, headers: HeaderMap) -> Response {
    serve(state, nr, headers, FeedFormat::Rss).await
}

/// `GET /schule/{nr}/feed.atom`.
pub async fn atom(state: State<AppState>, nr: Path<String>, headers: HeaderMap) -> Response {
    serve(state, nr, headers, FeedFormat::Atom).await
}

/// `GET /schule/{nr}/feed.json`.
pub async fn json(state: State<AppState>, nr: Path<String>, headers: HeaderMap) -> Response {
    serve(state, nr, headers, FeedFormat::Json).await
}

/// Whether the client's copy is current.
pub fn not_modified(headers: &HeaderMap, doc: &FeedDoc) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        // With If-None-Match, If-Modified-Since is not looked at (RFC 9110 §13.2.2).
        let Ok(v) = inm.to_str() else { return false };
        return v
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == doc.etag || t.strip_prefix("W/") == Some(doc.etag.as_str()));
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
        .is_some_and(|since| doc.last_modified <= since.with_timezone(&Utc))
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

async fn serve(
    State(state): State<AppState>,
    Path(nr): Path<String>,
    headers: HeaderMap,
    format: FeedFormat,
) -> Response {
    let base = absolute_url(&state, &headers, "");
    let feed = match state.platform.news_feed(&nr, &base).await {
        Ok(f) => f,
        Err(DomainError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let doc = feed.doc(format);
    let validators = [
        (header::ETAG, HeaderValue::from_str(&doc.etag)),
        (
            header::LAST_MODIFIED,
            HeaderValue::from_str(&http_date(doc.last_modified)),
        ),
        // Caches revalidate; embedding sites may read it from scripts.
        (
            header::CACHE_CONTROL,
            Ok(HeaderValue::from_static(
                "public, max-age=60, must-revalidate",
            )),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            Ok(HeaderValue::from_static("*")),
        ),
    ];
    let mut res = if not_modified(&headers, doc) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = axum::body::Body::from(doc.body.clone()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        r
    };
    for (k, v) in validators {
        if let Ok(v) = v {
            res.headers_mut().insert(k, v);
        }
    }
    res
}
