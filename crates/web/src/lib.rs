//! The server-rendered pages.

use axum::Router;
use schulhof_front::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
