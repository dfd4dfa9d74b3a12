//! WebDAV access to the cloud file manager under `/dav/files/`: one collection per area the
//! caller may see, with exactly the rights of the web pages (the same domain services and
//! the same policy decide). The Safe is never reachable here.

mod auth;
mod content;
mod file;
mod fs;
mod guard;
mod locks;
mod meta;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::any;
use dav_server::DavHandler;
use schulhof_front::AppState;

pub use auth::actor as basic_auth_actor;
pub use fs::area_slug;

/// Where the file areas are served.
pub const PREFIX: &str = "/dav/files";

/// The routes of the WebDAV front-end.
pub fn router() -> Router<AppState> {
    // Locks live in the database (see `locks`), so nothing is kept per node.
    Router::new()
        .route("/dav/files", any(serve))
        .route("/dav/files/", any(serve))
        .route("/dav/files/{*path}", any(serve))
}

async fn serve(
    State(state): State<AppState>,
    schulhof_front::ClientAddr(client): schulhof_front::ClientAddr,
    req: Request,
) -> Response {
    // Bounded, non-recursive checks before the library parses anything.
    let req = match guard::check(req).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let actor = match auth::actor(&state, req.headers(), &client).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let locks = locks::DbLocks::new(state.platform.clone(), actor.clone());
    let handler = DavHandler::builder()
        .strip_prefix(PREFIX)
        .filesystem(Box::new(fs::SchulFs::new(state.platform.clone(), actor)))
        .locksystem(Box::new(locks.clone()))
        // dav-server reads 16 KiB at a time unless told otherwise.
        .read_buf_size(file::MAX_READ)
        .build_handler();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let mut resp = handler.handle(req).await.map(Body::new);
    content::harden(&method, &path, &mut resp);
    locks.explain(&mut resp);
    resp
}
