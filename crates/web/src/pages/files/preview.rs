//! Routes of this part of the file manager (filled in as it grows).

use axum::Router;
use schulhof_front::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
