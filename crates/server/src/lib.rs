//! The platform as one HTTP application: pages, JSON API, health check, and the layers
//! every response passes (CSRF protection, security headers, compression of pages and assets).

mod headers;
pub mod imap_listen;
pub mod mail_filter;
pub mod mail_limits;
pub mod malloc;
pub mod settings;
pub mod sfu_args;
pub mod smtp_listen;
pub mod tls;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Version, header};
use axum::routing::get;
use schulhof_front::AppState;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::csrf::CsrfLayer;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(schulhof_chat::router())
        .merge(schulhof_api::router())
        .merge(schulhof_web::router())
        .merge(schulhof_oidc::router())
        .merge(schulhof_dav::router())
        .merge(schulhof_caldav::router::<
            AppState,
            schulhof_caldav::domain::DomainProvider,
        >())
        .fallback(schulhof_web::fallback)
        .layer(
            CsrfLayer::new().with_insecure_bypass(|_, uri| schulhof_oidc::csrf_exempt(uri.path())),
        )
        .layer(headers::security_headers())
        .layer(CompressionLayer::new().compress_when(SizeAbove::new(1024).and(ours)))
        .with_state(state)
}

/// Compresses what the platform itself writes (pages, styles, scripts, icons, JSON), never a
/// user's file: downloads keep their length and byte ranges, and compressing them again
/// would cost CPU for nothing.
fn ours(_: StatusCode, _: Version, headers: &HeaderMap, _: &axum::http::Extensions) -> bool {
    if headers.contains_key(header::CONTENT_DISPOSITION) {
        return false;
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    [
        "text/html",
        "text/css",
        "text/javascript",
        "image/svg+xml",
        "application/json",
    ]
    .iter()
    .any(|k| kind.starts_with(k))
}

async fn healthz() -> &'static str {
    "ok"
}
