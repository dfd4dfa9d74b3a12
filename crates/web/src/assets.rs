//! The stylesheet and the two small scripts (uploads with progress in the file manager, the
//! Safe's editor), compiled into the binary. Pages link them with a content hash in the query string, so
//! browsers may cache them for long and still see every change.

use axum::http::header;
use axum::response::IntoResponse;

pub const APP_CSS: &str = include_str!("../static/app.css");

/// FNV-1a over the stylesheet, at compile time.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

pub const APP_CSS_HASH: u64 = fnv1a(APP_CSS.as_bytes());

/// Progressive enhancement of the upload form; every page works without it.
pub const FILES_JS: &str = include_str!("../static/files.js");

pub const FILES_JS_HASH: u64 = fnv1a(FILES_JS.as_bytes());

/// The Safe's editor: toolbar, autosave; without it a plain text form saves.
pub const SAFE_EDITOR_JS: &str = include_str!("../static/safe_editor.js");

pub const SAFE_EDITOR_JS_HASH: u64 = fnv1a(SAFE_EDITOR_JS.as_bytes());

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // The URL changes with the content, so a long lifetime is safe.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        APP_CSS,
    )
}

pub async fn files_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        FILES_JS,
    )
}

pub async fn safe_editor_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        SAFE_EDITOR_JS,
    )
}
