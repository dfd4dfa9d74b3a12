//! The platform as one HTTP application: pages, JSON API, health check, and the layers
//! every response passes (CSRF protection, security headers).

mod headers;
pub mod settings;

use axum::Router;
use axum::routing::get;
use schulhof_front::AppState;
use tower_http::csrf::CsrfLayer;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(schulhof_api::router())
        .merge(schulhof_web::router())
        .merge(schulhof_dav::router())
        .fallback(schulhof_web::fallback)
        .layer(CsrfLayer::new())
        .layer(headers::security_headers())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}
